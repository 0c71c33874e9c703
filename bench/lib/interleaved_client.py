"""The independent check's client, as a user's script sees the gateway: Python's http.client on
one keep-alive connection per target, requests interleaved one at a time (target A, target B,
target A, ...), so machine noise hits every target alike and every process sleeps between calls.

argv: JSON {"targets": [{"id", "host", "port", "headers"}], "method", "path", "requests", "warmup"}
stdout: JSON {"<id>": {"us": [latencies in microseconds], "framing": "...", "status": [...]}}
"""
import http.client
import json
import sys
import time

spec = json.loads(sys.argv[1])
conns = {t["id"]: http.client.HTTPConnection(t["host"], t["port"], timeout=30) for t in spec["targets"]}
out = {t["id"]: {"us": [], "framing": "", "statuses": {}} for t in spec["targets"]}


def call(t):
    conn = conns[t["id"]]
    start = time.perf_counter_ns()
    conn.request(spec["method"], spec["path"], headers=t["headers"])
    resp = conn.getresponse()
    resp.read()
    took = (time.perf_counter_ns() - start) / 1000
    framing = "chunked" if resp.getheader("transfer-encoding") == "chunked" else ("content-length" if resp.getheader("content-length") else "close")
    return took, resp.status, framing


for i in range(spec["warmup"] + spec["requests"]):
    order = spec["targets"] if i % 2 == 0 else list(reversed(spec["targets"]))
    for t in order:
        took, status, framing = call(t)
        if i >= spec["warmup"]:
            o = out[t["id"]]
            o["us"].append(took)
            o["framing"] = framing
            o["statuses"][str(status)] = o["statuses"].get(str(status), 0) + 1

print(json.dumps(out))
