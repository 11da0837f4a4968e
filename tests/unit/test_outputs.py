"""core.outputs: what may be overwritten, and moving staged files into place all or none."""

from __future__ import annotations

import os

import pytest

from kaigo_resource_plugin.core import outputs as out
from kaigo_resource_plugin.core.errors import InputError


def P(param, path, layer=None, folder=False):  # noqa: N802
    return out.Place(param, out.real(str(path)), layer, folder)


def test_every_part_of_a_shapefile_is_the_same_dataset(tmp_path):
    shp = P("INPUT", tmp_path / "chome.shp")
    for ext in (".dbf", ".shx", ".prj", ".cpg", ".SHP"):
        assert out.collisions([shp], [P("OUTPUT", tmp_path / f"chome{ext}")]), ext
    assert not out.collisions([shp], [P("OUTPUT", tmp_path / "chome2.shp")])


def test_geopackage_layers_collide_only_when_the_same(tmp_path):
    gpkg = tmp_path / "data.gpkg"
    assert out.collisions([P("INPUT", gpkg, "chome")], [P("OUTPUT", gpkg, "chome")])
    assert not out.collisions([P("INPUT", gpkg, "chome")], [P("OUTPUT", gpkg, "data")])


def test_two_outputs_on_one_place_collide(tmp_path):
    a, b = P("OUTPUT_CSV", tmp_path / "m.csv"), P("OUTPUT_XLSX", tmp_path / "m.csv")
    assert out.collisions([], [a, b]) == [(a, b)]


def test_collision_error_names_both_in_two_languages(tmp_path):
    err = out.collision_error(P("REPORT", tmp_path / "ages.csv"), P("AGES", tmp_path / "ages.csv"))
    assert "REPORT" in err.ja and "AGES" in err.ja and "入力" in err.ja
    assert "is the same data as the input AGES" in err.en


def test_read_only_locked_folder_and_office_lock(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("x")
    assert out.unwritable(P("O", f)) is None
    os.chmod(f, 0o444)
    assert out.unwritable(P("O", f))[1] == "it is read-only"
    os.chmod(f, 0o644)
    (tmp_path / ".~lock.m.csv#").write_text("user")
    assert "another program has it open" in out.unwritable(P("O", f))[1]
    (tmp_path / "d.gpkg").mkdir()
    assert out.unwritable(P("O", tmp_path / "d.gpkg"))[1] == "a folder of that name exists"
    assert out.unwritable(P("O", f, folder=True))[1] == "it is a file, not a folder"


def test_os_lock_and_sqlite_write_lock_are_seen(tmp_path):
    import fcntl
    import sqlite3

    f = tmp_path / "m.csv"
    f.write_text("x")
    with open(f, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert out.unwritable(P("O", f))[1] == "another program has locked it"
        assert out.unwritable(P("O", f), held=frozenset({out.real(str(f))})) is None
    assert out.unwritable(P("O", f)) is None
    db = tmp_path / "x.gpkg"
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("CREATE TABLE t (a)")
    con.execute("BEGIN IMMEDIATE")
    assert out.unwritable(P("O", db))[1] == "another program has locked it"
    con.execute("ROLLBACK")
    assert out.unwritable(P("O", db)) is None
    con.close()


def test_commit_moves_everything_or_puts_everything_back(tmp_path, monkeypatch):
    stage = out.staging_dir(str(tmp_path))
    for name in ("a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_text(f"old {name}")
        with open(os.path.join(stage, name), "w") as fh:
            fh.write(f"new {name}")
    commit = out.Commit()
    for name in ("a.csv", "b.csv", "c.csv"):
        commit.add(os.path.join(stage, name), str(tmp_path / name), "OUTPUT")
    real_replace = os.replace
    calls = {"n": 0}

    def failing(src, dst):
        calls["n"] += 1
        if calls["n"] == 5:  # the third file's move onto its target
            raise OSError(28, "No space left on device", dst)
        return real_replace(src, dst)

    monkeypatch.setattr(out.os, "replace", failing)
    with pytest.raises(InputError) as err:
        commit.run()
    monkeypatch.setattr(out.os, "replace", real_replace)
    assert "unchanged" in err.value.en and "そのまま" in err.value.ja
    for name in ("a.csv", "b.csv", "c.csv"):
        assert (tmp_path / name).read_text() == f"old {name}", name


def test_commit_refuses_an_input_before_moving_anything(tmp_path):
    stage = out.staging_dir(str(tmp_path))
    (tmp_path / "a.csv").write_text("old")
    (tmp_path / "ages.csv").write_text("input")
    for name in ("a.csv", "ages.csv"):
        with open(os.path.join(stage, name), "w") as fh:
            fh.write("new")
    commit = out.Commit(inputs=[P("AGES", tmp_path / "ages.csv")])
    commit.add(os.path.join(stage, "a.csv"), str(tmp_path / "a.csv"), "OUTPUT_FOLDER")
    commit.add(os.path.join(stage, "ages.csv"), str(tmp_path / "ages.csv"), "OUTPUT_FOLDER")
    with pytest.raises(InputError):
        commit.run()
    assert (tmp_path / "a.csv").read_text() == "old" and (tmp_path / "ages.csv").read_text() == "input"


def test_manifest_removes_only_our_unchanged_earlier_files(tmp_path):
    folder = tmp_path
    for name in ("map_1.png", "map_2.png", "edited.png", "mine.txt", "input.gpkg"):
        (folder / name).write_text(name)
    out.write_manifest(
        str(folder), [str(folder / n) for n in ("map_1.png", "map_2.png", "edited.png", "input.gpkg")]
    )
    (folder / "edited.png").write_text("the user changed it")
    removed = out.remove_stale(str(folder), [str(folder / "map_1.png")], [P("INPUT", folder / "input.gpkg")])
    assert [os.path.basename(p) for p in removed] == ["map_2.png"]
    assert sorted(p.name for p in folder.iterdir()) == [
        ".kaigo-manifest.json",
        "edited.png",
        "input.gpkg",
        "map_1.png",
        "mine.txt",
    ]


def test_a_manifest_pointing_outside_its_folder_is_not_followed(tmp_path):
    inner = tmp_path / "out"
    inner.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (inner / out.MANIFEST).write_text('{"files": {"../victim.txt": "x"}}')
    assert out.stale_files(str(inner), [], []) == []
    assert victim.exists()


def _locked_for_another_process(db) -> bool:
    """Can another process take SQLite's write lock on ``db`` right now? (it sees only OS-level locks)"""
    import subprocess
    import sys

    code = (
        "import sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], timeout=0)\n"
        "try:\n"
        "    con.execute('BEGIN IMMEDIATE')\n"
        "    print('free')\n"
        "except sqlite3.OperationalError:\n"
        "    print('locked')\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() in ("free", "locked"), done.stderr
    return done.stdout.strip() == "locked"


def test_looking_at_a_geopackage_keeps_the_sqlite_locks_this_process_holds(tmp_path):
    """POSIX record locks belong to the process, and all of them drop when the process closes any descriptor
    of the file. QGIS (this process) may hold SQLite's locks on a GeoPackage the guard looks at: the guard
    must check, lock, fingerprint it and write the manifest without opening and closing it itself."""
    import sqlite3

    db = tmp_path / "x.gpkg"
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("CREATE TABLE t (a)")
    con.execute("BEGIN IMMEDIATE")
    try:
        assert _locked_for_another_process(db)
        assert out.unwritable(P("O", db))[1] == "another program has locked it"
        assert _locked_for_another_process(db), "unwritable() dropped the lock"
        with out.exclusive_folder(str(tmp_path)):
            pass
        assert _locked_for_another_process(db), "exclusive_folder() dropped the lock"
        out.write_manifest(str(tmp_path), [str(db)])
        assert _locked_for_another_process(db), "write_manifest() dropped the lock"
        assert out.stale_files(str(tmp_path), [], []) == [str(db)]  # unchanged since: ours to remove
        assert _locked_for_another_process(db), "stale_files() dropped the lock"
    finally:
        con.execute("ROLLBACK")
        con.close()
    assert not _locked_for_another_process(db)


def test_a_geopackage_changed_since_the_manifest_is_not_removed(tmp_path):
    import sqlite3
    import time

    db = tmp_path / "x.gpkg"
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("CREATE TABLE t (a)")
    con.close()
    out.write_manifest(str(tmp_path), [str(db)])
    time.sleep(0.01)
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("INSERT INTO t VALUES (1)")  # the user edited it: same size possibly, a new mtime
    con.close()
    assert out.stale_files(str(tmp_path), [], []) == []


def test_two_holders_of_one_folder_take_turns(tmp_path):
    import threading

    order = []
    inside = threading.Event()

    def second():
        with out.exclusive_folder(str(tmp_path)):
            order.append("second")

    with out.exclusive_folder(str(tmp_path)):
        t = threading.Thread(target=second)
        t.start()
        inside.wait(0.3)
        order.append("first")
    t.join(10)
    assert order == ["first", "second"]
