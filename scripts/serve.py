#!/usr/bin/env python
"""Serve the site for production: nginx (buffering reverse proxy) in front of gunicorn. `make serve` runs this.

    python scripts/serve.py [--listen 127.0.0.1:8080] [--workers 2]

nginx runs as an ordinary process from a config rendered into build/serve/ (from deploy/nginx.conf.template): no
system-wide nginx configuration is touched; Debian's nginx package is installed by scripts/system-deps.sh --serve when
missing. gunicorn listens on a loopback port only nginx talks to, with TRUSTED_PROXY_COUNT=1 so the client address is
the one nginx appends to X-Forwarded-For (2 when SERVE_BEHIND_PROXY says a load balancer sits in front of nginx).

Environment: everything fashion.settings.production reads (DJANGO_SECRET_KEY — generated once into build/serve/ when
unset, DJANGO_ALLOWED_HOSTS — default 127.0.0.1,localhost, CACHE_URL — default redis://127.0.0.1:6379/0, DATABASE_URL,
…), plus WEB_CONCURRENCY / GUNICORN_THREADS for gunicorn. Stops both on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SystemExit("nginx is not installed: run scripts/system-deps.sh --serve (Debian's nginx-light).")
    return found


def render_nginx_conf(
    *,
    prefix: Path,
    listen: str,
    upstream: str,
    static_root: Path,
    media_root: Path | None,
    max_body_bytes: int,
    client_timeout: int = 10,
    upstream_read_timeout: int = 60,
    worker_processes: int = 1,
    worker_connections: int = 1024,
    behind_proxy: bool = False,
    access_log: bool = True,
) -> Path:
    """Write prefix/nginx.conf from the template and create the folders nginx needs; returns the config path."""
    for folder in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    media_location = ""
    if media_root is not None:
        media_location = (
            "        location /media/ {\n"
            f"            alias {media_root}/;\n"
            "            expires 30d;\n"
            '            add_header Cache-Control "public, immutable";\n'
            "            add_header X-Content-Type-Options nosniff;\n"
            "        }\n"
        )
    user_line = ""
    if os.geteuid() == 0:
        # As root, nginx would drop its workers to `nobody`, who cannot write the temp folders under the prefix.
        user = pwd.getpwuid(os.getuid()).pw_name
        user_line = f"user {user};"
    values = {
        "USER_LINE": user_line,
        "WORKER_PROCESSES": str(worker_processes),
        "WORKER_CONNECTIONS": str(worker_connections),
        "PREFIX": str(prefix),
        "ACCESS_LOG": f"{prefix}/logs/access.log" if access_log else "off",
        "CLIENT_TIMEOUT": str(client_timeout),
        "CLIENT_MAX_BODY_SIZE": str(max_body_bytes),
        "UPSTREAM": upstream,
        "LISTEN": listen,
        "STATIC_ROOT": str(static_root),
        "MEDIA_LOCATION": media_location,
        "UPSTREAM_READ_TIMEOUT": str(upstream_read_timeout),
        # Behind a TLS-terminating load balancer, keep the scheme it reports; otherwise nginx's own.
        "FORWARDED_PROTO": "$http_x_forwarded_proto" if behind_proxy else "$scheme",
    }
    config = re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: values[match.group(1)], TEMPLATE.read_text())
    path = prefix / "nginx.conf"
    path.write_text(config)
    return path


@dataclass
class Deployment:
    """gunicorn (production settings) behind nginx, as processes this object starts and stops."""

    prefix: Path
    env: dict[str, str]
    listen_port: int
    listen_host: str = "127.0.0.1"
    upstream_port: int = field(default_factory=free_port)
    behind_proxy: bool = False
    access_log: bool = True
    client_timeout: int = 10
    gunicorn: subprocess.Popen | None = None
    nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listen_port}"

    def processes(self) -> tuple[subprocess.Popen, subprocess.Popen]:
        """(gunicorn, nginx), once start() has started them."""
        if self.gunicorn is None or self.nginx is None:
            raise RuntimeError("the deployment has not been started")
        return self.gunicorn, self.nginx

    def app_env(self) -> dict[str, str]:
        env = dict(self.env)
        env["GUNICORN_BIND"] = f"127.0.0.1:{self.upstream_port}"
        env["TRUSTED_PROXY_COUNT"] = "2" if self.behind_proxy else "1"
        env.setdefault("DJANGO_SETTINGS_MODULE", "fashion.settings.production")
        return env

    def start(self, *, wait_seconds: float = 120) -> None:
        env = self.app_env()
        max_body = int(env.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)) + 1024 * 1024
        media_root = None
        if not env.get("AWS_STORAGE_BUCKET_NAME"):
            media_root = Path(env.get("MEDIA_ROOT", ROOT / "media")).resolve()
        static_root = Path(env.get("STATIC_ROOT", ROOT / "staticfiles")).resolve()
        conf = render_nginx_conf(
            prefix=self.prefix,
            listen=f"{self.listen_host}:{self.listen_port}",
            upstream=f"127.0.0.1:{self.upstream_port}",
            static_root=static_root,
            media_root=media_root,
            max_body_bytes=max_body,
            behind_proxy=self.behind_proxy,
            access_log=self.access_log,
            client_timeout=self.client_timeout,
        )
        python = Path(sys.executable)
        gunicorn_log = (self.prefix / "logs" / "gunicorn.log").open("a")
        self.gunicorn = subprocess.Popen(
            [str(python.parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=gunicorn_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        check = subprocess.run([nginx_binary(), "-t", "-p", str(self.prefix), "-c", str(conf)], capture_output=True)
        if check.returncode != 0:
            self.stop()
            raise SystemExit(f"nginx refused its config {conf}:\n{check.stderr.decode()}")
        self.nginx = subprocess.Popen(
            [nginx_binary(), "-p", str(self.prefix), "-c", str(conf)],
            cwd=self.prefix,
            stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "logs" / "nginx.stderr").open("a"),
            start_new_session=True,
        )
        self.wait_healthy(wait_seconds)

    def wait_healthy(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        last = ""
        while time.monotonic() < deadline:
            for process, name in ((self.gunicorn, "gunicorn"), (self.nginx, "nginx")):
                if process is not None and process.poll() is not None:
                    log = (self.prefix / "logs" / ("gunicorn.log" if name == "gunicorn" else "error.log")).read_text()
                    self.stop()
                    raise SystemExit(f"{name} exited:\n{log[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = str(exc)
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"/healthz never said ok through nginx: {last}")

    def stop(self) -> None:
        for process in (self.nginx, self.gunicorn):
            if process is None or process.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # the group this object started (start_new_session)
        for process in (self.nginx, self.gunicorn):
            if process is None:
                continue
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def local_secret_key(folder: Path) -> str:
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default=os.environ.get("SERVE_LISTEN", "127.0.0.1:8080"), help="nginx address")
    parser.add_argument("--prefix", type=Path, default=ROOT / "build" / "serve", help="nginx prefix (config, logs)")
    parser.add_argument(
        "--behind-proxy",
        action="store_true",
        default=os.environ.get("SERVE_BEHIND_PROXY", "") not in ("", "0", "false"),
        help="a TLS load balancer sits in front of nginx (trust 2 X-Forwarded-For hops and its X-Forwarded-Proto)",
    )
    parser.add_argument(
        "--no-setup", action="store_true", help="skip `migrate` and `collectstatic` (the deploy job ran them)"
    )
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", local_secret_key(args.prefix))
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("CACHE_URL", "redis://127.0.0.1:6379/0")
    deployment = Deployment(
        prefix=args.prefix.resolve(), env=env, listen_port=int(port), behind_proxy=args.behind_proxy
    )
    if host not in ("127.0.0.1", "localhost"):
        print("note: nginx listens on 127.0.0.1 here; edit --listen handling for other interfaces", file=sys.stderr)
    if not args.no_setup:
        setup_env = {**env, "DJANGO_SETTINGS_MODULE": env.get("DJANGO_SETTINGS_MODULE", "fashion.settings.production")}
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=setup_env, check=True)
    stop = {"now": False}

    def on_signal(signum, frame) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    deployment.start()
    gunicorn, nginx = deployment.processes()
    upstream = f"gunicorn 127.0.0.1:{deployment.upstream_port}"
    print(f"serving on http://{args.listen} (nginx → {upstream}); logs in {args.prefix}/logs")
    try:
        while not stop["now"]:
            if gunicorn.poll() is not None or nginx.poll() is not None:
                print("gunicorn or nginx exited; stopping", file=sys.stderr)
                break
            time.sleep(1)
    finally:
        deployment.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
