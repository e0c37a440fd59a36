"""The standalone sandbox's memory over a long run (its request log stays bounded): 25 000 signed requests that are
logged but create no gateway state (status queries for unknown transactions), RSS after each
5 000. The request log is bounded (newest 1000 kept), so RSS must stay flat.

    cargo build -p epoint-az-cli && python3 benches/sandbox_rss.py
"""
import subprocess, sys, time, http.client
sys.path.insert(0, "openapi/reference")
from epoint_signing import seal
p = subprocess.Popen(["target/debug/epoint", "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True)
base = p.stdout.readline().strip()
host, port = base.replace("http://", "").split(":")
def rss():
    for line in open(f"/proc/{p.pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1]) // 1024
conn = http.client.HTTPConnection(host, int(port))
def burst(n, start):
    for i in range(n):
        _, _, body = seal("sandbox_private_key_0000000001", {"public_key": "i000000001", "transaction": f"te9{start+i:08d}"})
        conn.request("POST", "/api/1/get-status", body, {"content-type": "application/x-www-form-urlencoded"})
        conn.getresponse().read()
marks = []
t = time.time()
for k in range(5):
    burst(5000, k * 5000)
    marks.append(((k + 1) * 5000, rss()))
conn.request("GET", "/_sandbox/requests"); log = conn.getresponse().read()
print("requests, RSS MB:", marks, "| /_sandbox/requests bytes:", len(log), "| %.1f s" % (time.time() - t))
p.terminate(); p.wait()
