"""Nothing the user had is ever lost (SPEC §8): where outputs may go, and how they get there.

Pure Python (no QGIS): ``algorithms/guard.py`` resolves the Processing parameters into the plain
``Place`` values used here.

- ``collisions``: an output that is an input of the same run (the same file, a sidecar of the same
  shapefile, or the same layer of the same GeoPackage), or two outputs of one run on the same place.
- ``unwritable``: an existing output that is read-only, a folder, or locked by another program
  (a GeoPackage in the middle of a write, an office program's lock file beside it, an OS lock).
- ``Commit``: files are made in a staging folder beside their target and moved into place only when
  the whole run succeeded; a file that was replaced is kept aside until every move succeeded, so a
  failure halfway puts everything back ("no output was written" stays true).
- ``Manifest``: a folder output remembers which files the last run wrote, so a rerun removes only its
  own earlier files that it does not write again (and never a file the user changed since).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .errors import InputError

SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".shp.xml")
CONTAINERS = (".gpkg", ".sqlite", ".db")
MANIFEST = ".kaigo-manifest.json"
STAGING_PREFIX = ".kaigo-staging-"


@dataclass(frozen=True)
class Place:
    """An input or an output: a file (``layer`` None), one layer of a GeoPackage, or a folder."""

    param: str  # the parameter it comes from (for the message)
    path: str  # absolute, symlinks resolved
    layer: str | None = None
    folder: bool = False


def real(path: str) -> str:
    return os.path.realpath(os.path.abspath(os.path.expanduser(path)))


def is_container(path: str) -> bool:
    return path.lower().endswith(CONTAINERS)


def files_of(path: str) -> set[str]:
    """Every file that is part of the dataset at ``path`` (all parts of a shapefile)."""
    low = path.lower()
    for ext in SHAPE_PARTS:
        if low.endswith(ext):
            stem = path[: -len(ext)]
            return {stem + e for e in SHAPE_PARTS} | {stem + e.upper() for e in SHAPE_PARTS}
    return {path}


def _same_dataset(a: Place, b: Place) -> bool:
    if a.folder or b.folder:
        return False
    if a.path == b.path and is_container(a.path):
        # one layer of a GeoPackage against another: only the same layer is the same data
        return a.layer is None or b.layer is None or a.layer == b.layer
    return bool(files_of(a.path) & files_of(b.path))


def collisions(inputs: Iterable[Place], outputs: Iterable[Place]) -> list[tuple[Place, Place]]:
    """(output, input-or-other-output) pairs that would overwrite each other."""
    outputs = list(outputs)
    found = []
    for o in outputs:
        for i in inputs:
            if _same_dataset(o, i):
                found.append((o, i))
            elif o.folder and not i.folder and i.path.startswith(o.path.rstrip(os.sep) + os.sep):
                pass  # an input inside an output folder: checked file by file at commit
    for k, a in enumerate(outputs):
        for b in outputs[k + 1 :]:
            if _same_dataset(a, b) or (a.folder and b.folder and a.path == b.path):
                found.append((a, b))
    return found


def collision_error(output: Place, other: Place, other_is_input: bool = True) -> InputError:
    what_o = f"{output.path}" + (f"（レイヤ {output.layer}）" if output.layer else "")
    what_o_en = f"{output.path}" + (f" (layer {output.layer})" if output.layer else "")
    if other_is_input:
        return InputError(
            ja=f"出力 {output.param} の書き込み先 {what_o} は入力 {other.param} と同じデータです。"
            "入力を上書きしないよう、別のファイル名（または GeoPackage 内の別のレイヤ名）を指定してください。"
            "何も書き込んでいません。",
            en=f"The output {output.param} ({what_o_en}) is the same data as the input {other.param}: "
            "choose another file name (or another layer name in the GeoPackage) so that the input is not "
            "overwritten. Nothing was written.",
        )
    return InputError(
        ja=f"出力 {output.param} と {other.param} の書き込み先が同じです（{what_o}）。"
        "それぞれ別のファイル名を指定してください。何も書き込んでいません。",
        en=f"The outputs {output.param} and {other.param} go to the same place ({what_o_en}): give each "
        "its own file name. Nothing was written.",
    )


def office_lock_file(path: str) -> str | None:
    """The lock file an office program (LibreOffice, Excel) keeps beside a file it has open."""
    folder, name = os.path.split(path)
    for lock in (f".~lock.{name}#", f"~${name}"):
        candidate = os.path.join(folder, lock)
        if os.path.exists(candidate):
            return candidate
    return None


def _sqlite_locked(path: str) -> bool:
    """True when another connection holds a write lock on the SQLite/GeoPackage file."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0)
    except sqlite3.Error:
        return False
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as err:
        return "locked" in str(err) or "busy" in str(err)
    except sqlite3.DatabaseError:
        return False  # not an SQLite file: not ours to judge here
    finally:
        con.close()


def _os_locked(path: str) -> bool:
    """True when another process holds an OS lock (flock or fcntl) on the file."""
    try:
        import fcntl
    except ImportError:  # Windows: a locked file cannot be opened for writing at all
        try:
            with open(path, "r+b"):
                return False
        except PermissionError:
            return True
        except OSError:
            return False
    try:
        fh = open(path, "rb")
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return True
    return False


def unwritable(place: Place, held: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(ja, en) reason why ``place`` cannot be written, or None. Nothing is touched. ``held``: files this
    process has locked itself (``exclusive``), not to be taken for another program's lock."""
    path = place.path
    if place.folder:
        if os.path.exists(path) and not os.path.isdir(path):
            return ("フォルダではなくファイルです", "it is a file, not a folder")
        return None
    if os.path.isdir(path):
        return ("同じ名前のフォルダがあります", "a folder of that name exists")
    for part in sorted(files_of(path)):
        if not os.path.exists(part):
            continue
        if not os.access(part, os.W_OK) or not os.stat(part).st_mode & 0o222:
            return ("読み取り専用です", "it is read-only")  # (root may write it: the user marked it so)
        lock = office_lock_file(part)
        if lock:
            return (
                f"他のプログラムが開いています（{os.path.basename(lock)}）",
                f"another program has it open ({os.path.basename(lock)})",
            )
        if part in held:
            continue
        # a GeoPackage only through SQLite (the library GDAL uses in this process, which keeps its own
        # descriptors open while anyone holds a lock): opening and closing it here would drop every
        # POSIX lock this process (QGIS) holds on it
        if _sqlite_locked(part) if is_container(part) else _os_locked(part):
            return ("他のプログラムがロックしています", "another program has locked it")
    return None


def unwritable_error(place: Place, reason: tuple[str, str]) -> InputError:
    return InputError(
        ja=f"出力 {place.param} に書き込めません: {place.path}（{reason[0]}）。"
        "ファイルを閉じるか、別の出力先を指定してください。何も書き込んでいません。",
        en=f"Cannot write the output {place.param} to {place.path} ({reason[1]}): close the file or choose "
        "another output. Nothing was written.",
    )


def staging_dir(target_folder: str) -> str:
    """A new hidden folder beside the outputs, on the same file system (so a rename is atomic)."""
    os.makedirs(target_folder, exist_ok=True)
    return tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target_folder)


@contextlib.contextmanager
def exclusive(path: str) -> Iterator[None]:
    """Hold an exclusive OS lock on an existing file ``path`` that is still the file at ``path``.

    Two runs that merge a layer into the same GeoPackage take turns (neither loses the other's layer).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    while True:
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            same = os.path.exists(path) and os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino
        except OSError:
            same = False
        if same:
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
                fh.close()
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()  # replaced meanwhile by another run: lock the new file


@contextlib.contextmanager
def exclusive_folder(folder: str) -> Iterator[None]:
    """Hold an exclusive OS lock on ``folder`` itself: ``exclusive`` for the GeoPackages in it, which are
    never opened here (closing a descriptor of one would drop the SQLite locks QGIS holds on it). Two
    holders of one folder take turns, in this process or another; take each folder once per run."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _digest(path: str) -> str:
    """What tells a file we wrote from one changed since: its SHA-256, or for a GeoPackage (never opened
    here, see ``unwritable``) its size and modification time."""
    if is_container(path):
        st = os.stat(path)
        return f"stat:{st.st_size}:{st.st_mtime_ns}"
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Commit:
    """Files staged beside their targets, moved into place together (all of them, or none)."""

    inputs: list[Place] = field(default_factory=list)
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # (staged, target, param)
    merged: set[str] = field(default_factory=set)  # targets that keep their other layers
    held: set[str] = field(default_factory=set)  # targets this process holds an exclusive lock on

    def add(self, staged: str, target: str, param: str, merged: bool = False) -> None:
        self.moves.append((staged, target, param))
        if merged:
            self.merged.add(target)

    def check(self) -> None:
        """Refuse (InputError) before anything is moved: a target that is an input, a folder, locked.

        A file replaced whole must not hold any input; a GeoPackage that keeps its other layers only
        replaces the output's own layer (checked against the inputs before the work started)."""
        for _staged, target, param in self.moves:
            out = Place(param, real(target))
            if target not in self.merged:
                for i in self.inputs:
                    if files_of(out.path) & files_of(i.path):
                        raise collision_error(out, i)
            reason = unwritable(out, frozenset(real(h) for h in self.held))
            if reason:
                raise unwritable_error(out, reason)

    def run(self) -> list[str]:
        """Move every staged file onto its target; on any failure put back what was there. Returns targets."""
        self.check()
        done: list[tuple[str, str | None]] = []  # (target, backup of the file it replaced)
        try:
            for staged, target, _param in self.moves:
                os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
                backup = None
                if os.path.lexists(target):
                    backup = f"{staged}.previous"
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(staged, target)
        except OSError as err:
            for target, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, target)
                    elif os.path.exists(target):
                        os.remove(target)
            raise InputError(
                ja=f"出力を書き込めませんでした（{err.filename or ''}: {err.strerror}）。"
                "元のファイルはそのまま残しました。出力先を確認してください。",
                en=f"The outputs could not be written ({err.filename or ''}: {err.strerror}); the files that "
                "were there are unchanged. Check the output location.",
            ) from None
        for _target, backup in done:
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.remove(backup)
        return [t for _s, t, _p in self.moves]


def read_manifest(folder: str) -> dict[str, str]:
    """{relative path: sha256} of the files the last run wrote into ``folder`` ({} when none)."""
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as fh:
            data = json.load(fh)
        files = data.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def manifest_moves(folder: str, staged_root: str) -> list[tuple[str, str]]:
    """(staged file, target) for every file under ``staged_root``, in a stable order."""
    pairs = []
    for dirpath, dirnames, filenames in os.walk(staged_root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(("-wal", "-shm", "-journal")) or name == MANIFEST:
                continue
            src = os.path.join(dirpath, name)
            rel = os.path.relpath(src, staged_root)
            pairs.append((src, os.path.join(folder, rel)))
    return pairs


def write_manifest(folder: str, written: list[str]) -> None:
    files = {}
    for path in sorted(written):
        rel = os.path.relpath(path, folder)
        if os.path.isfile(path):
            files[rel.replace(os.sep, "/")] = _digest(path)
    fd, tmp = tempfile.mkstemp(prefix=".kaigo-manifest.", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        json.dump({"files": files}, fh, ensure_ascii=False, indent=1, sort_keys=True)
    os.chmod(tmp, 0o644)
    os.replace(tmp, os.path.join(folder, MANIFEST))


def stale_files(folder: str, written: list[str], inputs: Iterable[Place]) -> list[str]:
    """Files an earlier run wrote into ``folder`` (per its manifest) that this run did not write again,
    still as that run left them, and not an input of this run: safe to remove."""
    keep = {real(p) for p in written}
    input_files: set[str] = set()
    for i in inputs:
        input_files |= files_of(i.path)
    out = []
    for rel, digest in sorted(read_manifest(folder).items()):
        path = os.path.normpath(os.path.join(folder, rel))
        if not path.startswith(os.path.abspath(folder) + os.sep):
            continue  # a manifest that points outside its folder is not trusted
        rp = real(path)
        if rp in keep or rp in input_files or not os.path.isfile(path):
            continue
        try:
            if _digest(path) != digest:
                continue  # the user changed it: not ours any more
        except OSError:
            continue
        out.append(path)
    return out


def remove_stale(folder: str, written: list[str], inputs: Iterable[Place]) -> list[str]:
    removed = []
    for path in stale_files(folder, written, inputs):
        with contextlib.suppress(OSError):
            os.remove(path)
            removed.append(path)
    return removed


def remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
