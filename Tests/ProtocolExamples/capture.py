#!/usr/bin/env python3
"""Re-captures the request/response examples of docs/protocol.md from the real binary.

Every `-->` line of sections 4 (methods) is sent, in id order, to a fresh daemon running the
example config (config/loyaltyd.yaml) on a temporary database; the `<--` line that follows it is
replaced with what the daemon answered. Run it after changing what a method returns:

    python3 Tests/ProtocolExamples/capture.py .build/debug/loyaltyd docs/protocol.md
"""
import json, os, re, socket, sqlite3, subprocess, sys, tempfile, time

binary, document = sys.argv[1], sys.argv[2]
lines = open(document, encoding="utf-8").read().split("\n")
start = lines.index("## 4. Methods")
end = lines.index("## 5. Notifications")

work = tempfile.mkdtemp(prefix="loyaltyd-doc.")
sock, db = os.path.join(work, "till.sock"), os.path.join(work, "db.sqlite")
daemon = subprocess.Popen([binary, "serve", "--config", "config/loyaltyd.yaml", "--socket", sock, "--database", db],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    till = socket.socket(socket.AF_UNIX)
    till.connect(sock)
    stream = till.makefile("rwb")

    def send(text):
        stream.write(text.encode() + b"\n")
        stream.flush()
        return stream.readline().decode().rstrip("\n")

    # The lost card and the blocked member some examples show: status is store data.
    send('{"jsonrpc":"2.0","id":0,"method":"member.enroll","params":{"card":{"kind":"track","value":";6009123456789012=2512?"}}}')
    blocked = json.loads(send('{"jsonrpc":"2.0","id":0,"method":"member.enroll","params":{"card":{"kind":"barcode","value":"2900000077777"}}}'))
    database = sqlite3.connect(db)
    database.execute("UPDATE carriers SET status = 'lost' WHERE kind = 'track'")
    database.execute("UPDATE members SET status = 'blocked' WHERE id = ?", (blocked["result"]["member_id"],))
    database.commit()
    database.close()

    requests = []
    for index in range(start, end):
        if lines[index].startswith("--> ") and index + 1 < len(lines) and lines[index + 1].startswith("<-- "):
            request = json.loads(lines[index][4:])
            if isinstance(request, dict) and request.get("method") != "status":
                requests.append((request.get("id", 0), index))
    # Ids the daemon creates differ from run to run: the old ones in the document are replaced.
    renamed = {}
    for _, index in sorted(requests):
        request = lines[index][4:]
        for old, new in renamed.items():
            request = request.replace(old, new)
        answer = send(request)
        old_ids = re.findall(r'"member_id":"([^"]+)"', lines[index + 1])
        new_ids = re.findall(r'"member_id":"([^"]+)"', answer)
        for old, new in zip(old_ids, new_ids):
            renamed.setdefault(old, new)
        lines[index], lines[index + 1] = "--> " + request, "<-- " + answer
    for index in range(start, end):
        for old, new in renamed.items():
            lines[index] = lines[index].replace(old, new)
finally:
    daemon.terminate()
    daemon.wait()
open(document, "w", encoding="utf-8").write("\n".join(lines))
print(f"re-captured {len(requests)} examples")
