"""Stand-in for the few helpers of MLflow's tests/helper_functions.py that the REST integration
tests import (written for this harness; used only where the real file was not fetched)."""
import os
import signal
import socket
import uuid

LOCALHOST = "127.0.0.1"


def get_safe_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def random_str(size=10):
    return uuid.uuid4().hex[:size]


def kill_process_tree(pid):
    """Ends `pid` and its process group (servers are started in their own group by the shim)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            parent = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        for child in parent.children(recursive=True):
            child.kill()
        parent.kill()
        return
    # Without psutil: the children of `pid` (gunicorn/uvicorn workers) through /proc.
    victims = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                victims.append(int(entry))
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
