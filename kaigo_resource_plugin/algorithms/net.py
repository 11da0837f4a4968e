"""The plugin's only network I/O: QGIS's own stack (QgsBlockingNetworkRequest), so that the proxy and the
authentication settings of the user's QGIS apply. Errors become bilingual InputErrors; a cancel becomes
Cancelled; a download lands in the cache folder whole or not at all."""

from __future__ import annotations

import os
from dataclasses import dataclass

from qgis.core import QgsBlockingNetworkRequest, QgsFeedback, QgsSettings
from qgis.PyQt.QtCore import QByteArray, QTimer, QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ..core import downloads, sources
from ..core.errors import Cancelled, InputError


def plugin_settings() -> dict[str, object]:
    """The plugin's settings that core.sources reads (base URLs, timeout)."""
    s = QgsSettings()
    keys = [*sources.SETTING_KEYS.values(), sources.TIMEOUT_SETTING]
    return {k: s.value(k, "") for k in keys}


def base_url(source: str) -> str:
    return sources.base_url(source, plugin_settings())


def url_origin(source: str) -> str:
    return sources.url_origin(source, plugin_settings())


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    content: bytes


def _user_agent() -> bytes:
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(os.path.dirname(os.path.dirname(__file__)), "metadata.txt"), encoding="utf-8")
    return f"kaigo_resource_plugin/{cfg['general'].get('version', '?')} (QGIS)".encode()


_UNREACHABLE = {
    QNetworkReply.NetworkError.ConnectionRefusedError,
    QNetworkReply.NetworkError.RemoteHostClosedError,
    QNetworkReply.NetworkError.HostNotFoundError,
    QNetworkReply.NetworkError.TemporaryNetworkFailureError,
    QNetworkReply.NetworkError.NetworkSessionFailedError,
    QNetworkReply.NetworkError.UnknownNetworkError,
    QNetworkReply.NetworkError.ProxyConnectionRefusedError,
    QNetworkReply.NetworkError.ProxyNotFoundError,
    QNetworkReply.NetworkError.ProxyConnectionClosedError,
}
_TIMEOUTS = {
    QNetworkReply.NetworkError.TimeoutError,
    QNetworkReply.NetworkError.ProxyTimeoutError,
    QNetworkReply.NetworkError.OperationCanceledError,  # what Qt reports when the transfer timeout fires
}


def _host(url: str) -> str:
    u = QUrl(url)
    return u.host() + (f":{u.port()}" if u.port() > 0 else "")


def request(
    url: str,
    feedback=None,
    *,
    method: str = "GET",
    data: bytes | None = None,
    content_type: str | None = None,
    what: str = "",
    timeout_s: float | None = None,
    progress=None,
) -> Response:
    """One request through QGIS's network stack. Raises InputError (no network, timeout, HTTP error) or
    Cancelled. ``progress(received, total)`` is called while data arrives."""
    what = what or _host(url)
    timeout = timeout_s or sources.timeout_seconds(plugin_settings())
    req = QNetworkRequest(QUrl(url))
    req.setRawHeader(b"User-Agent", _user_agent())
    if content_type:
        req.setHeader(QNetworkRequest.KnownHeaders.ContentTypeHeader, content_type)
    if hasattr(req, "setTransferTimeout"):  # Qt ≥ 5.15: no data for this long → the reply is aborted
        req.setTransferTimeout(int(timeout * 1000))
    blocking = QgsBlockingNetworkRequest()
    if progress is not None:
        blocking.downloadProgress.connect(progress)
    if feedback is not None and feedback.isCanceled():
        raise Cancelled()
    # The user's Cancel reaches the request through a feedback of our own, cancelled from a timer of this
    # thread while the request's event loop runs: QGIS 3.22 can miss a cancel that arrives from another
    # thread just as the reply is created (the request then waits for its timeout).
    inner = QgsFeedback()
    timer = QTimer()
    timer.setInterval(100)
    if feedback is not None:
        timer.timeout.connect(
            lambda: inner.cancel() if feedback.isCanceled() and not inner.isCanceled() else None
        )
        timer.start()
    try:
        if method == "POST":
            code = blocking.post(req, QByteArray(data or b""), True, inner)
        elif method == "HEAD":
            code = blocking.head(req, True, inner)
        else:
            code = blocking.get(req, True, inner)
    finally:
        timer.stop()
        if progress is not None:  # no late signal may reach a feedback that is gone (qgis_process exit)
            blocking.downloadProgress.disconnect(progress)
    if feedback is not None and feedback.isCanceled():
        raise Cancelled()
    reply = blocking.reply()
    status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
    try:
        status = int(status)
    except (TypeError, ValueError):
        status = 0
    headers = {
        bytes(k).decode("latin-1"): bytes(reply.rawHeader(k)).decode("latin-1") for k in reply.rawHeaderList()
    }
    qerr = reply.error()
    if (
        code == QgsBlockingNetworkRequest.ErrorCode.NoError
        and qerr == QNetworkReply.NetworkError.NoError
        and 200 <= status < 400
    ):
        return Response(status, headers, bytes(reply.content()))
    _refuse(blocking, reply, code, qerr, status, url, what, timeout)


def _refuse(blocking, reply, code, qerr, status: int, url: str, what: str, timeout: float):
    """Raise the bilingual InputError of a failed request: HTTP error, timeout, no connection, other."""
    detail = blocking.errorMessage() or reply.errorString()
    if status >= 400:
        raise InputError(
            ja=f"{what} がエラーを返しました（HTTP {status}）: {url}。コード・年・URL の設定を確認するか、"
            "時間をおいて再実行してください。",
            en=f"{what} answered with an error (HTTP {status}) for {url}. Check the code, the year and the URL "
            "setting, or try again later.",
        )
    if code == QgsBlockingNetworkRequest.ErrorCode.TimeoutError or qerr in _TIMEOUTS:
        raise InputError(
            ja=f"{what} からの応答が {timeout:g} 秒以内にありませんでした（タイムアウト）。時間をおいて再実行するか、"
            f"設定 {sources.TIMEOUT_SETTING}（環境変数 {sources.TIMEOUT_ENV}）で待ち時間を延ばしてください。",
            en=f"{what} did not answer within {timeout:g} s (timeout). Try again later, or allow more time with "
            f"the setting {sources.TIMEOUT_SETTING} (environment variable {sources.TIMEOUT_ENV}).",
        )
    if qerr in _UNREACHABLE or code == QgsBlockingNetworkRequest.ErrorCode.NetworkError:
        raise InputError(
            ja=f"{what} に接続できません（{detail}）。ネットワーク接続と QGIS のプロキシ設定（設定 → オプション → "
            "ネットワーク）を確認してください。ダウンロード元の URL は設定と環境変数で変えられます。",
            en=f"Cannot connect to {what} ({detail}). Check the network connection and QGIS's proxy settings "
            "(Settings → Options → Network); the download URLs can be changed in the settings and by "
            "environment variables.",
        )
    raise InputError(  # pragma: no cover - any other failure of the network stack
        ja=f"{what} からのダウンロードに失敗しました（{detail}）。",
        en=f"Downloading from {what} failed ({detail}).",
    )


def cached_download(url: str, path: str, feedback=None, *, what: str = "", progress=None) -> tuple[str, str]:
    """``url`` into ``path`` in the cache folder, unless a whole copy is there and the server does not say
    it changed (ETag, size, date from a HEAD request). Returns (path, how): how is 'cached', 'downloaded'
    or 'refreshed'. The file appears only once complete."""
    entry = downloads.read_entry(path)
    if entry is not None:
        try:
            head = request(url, feedback, method="HEAD", what=what, timeout_s=30)
        except InputError as err:
            if feedback is not None:
                feedback.pushWarning(
                    f"{what}: サーバーに更新を確認できないため、キャッシュを使います / could not ask the server "
                    f"whether the file changed; using the cached copy ({err.en})"
                )
            return path, "cached"
        changed = downloads.server_changed(entry, head.headers)
        if not changed:
            return path, "cached"
    resp = request(url, feedback, what=what, progress=progress)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".part"
    with open(tmp, "wb") as fh:
        fh.write(resp.content)
    os.replace(tmp, path)
    downloads.write_entry(
        path,
        downloads.CacheEntry(
            url=url,
            size=len(resp.content),
            last_modified=downloads.header(resp.headers, "Last-Modified"),
            etag=downloads.header(resp.headers, "ETag"),
            downloaded_at=downloads.now_iso(),
            server_name=downloads.disposition_name(resp.headers),
        ),
    )
    return path, ("refreshed" if entry is not None else "downloaded")


def default_cache_folder() -> str:
    try:
        from qgis.core import QgsApplication

        base = QgsApplication.qgisSettingsDirPath()
    except Exception:  # pragma: no cover
        base = None
    return downloads.default_cache_folder(base or None)
