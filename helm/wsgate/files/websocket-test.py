# The chart's `helm test`: opens a real WebSocket session through the gateway's Service, with
# nothing but Python's standard library (no pip install in the cluster). Configured by the
# environment (templates/tests/websocket-test.yaml):
#   WS_URL       ws://<service>.<namespace>.svc:<port><path>, or wss:// for a TLS listener
#   WS_HOST      Host header to send (for the gateway's host rules); default: the URL's host:port
#   WS_HEADERS   JSON object of extra request headers
#   WS_ECHO      "true": send WS_MESSAGE and expect it back (an echo backend); else the 101 is enough
#   WS_MESSAGE   the text message sent when WS_ECHO is "true"
#   WS_TIMEOUT   seconds for the connection and for each read
#   WS_TLS_VERIFY "true": verify the listener's certificate against WS_HOST (default: not verified)
# Exits 0 on success, 1 with a line saying what failed.
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import sys
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


url = urllib.parse.urlsplit(os.environ["WS_URL"])
timeout = float(os.environ.get("WS_TIMEOUT") or "10")
host_header = os.environ.get("WS_HOST") or url.netloc
headers = json.loads(os.environ.get("WS_HEADERS") or "{}")
echo = os.environ.get("WS_ECHO") == "true"
message = os.environ.get("WS_MESSAGE") or "wsgate helm test"
secure = url.scheme == "wss"
port = url.port or (443 if secure else 80)

try:
    sock = socket.create_connection((url.hostname, port), timeout=timeout)
    if secure:
        context = ssl.create_default_context()
        if os.environ.get("WS_TLS_VERIFY") != "true":
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname=host_header.rsplit(":", 1)[0] if os.environ.get("WS_HOST") else url.hostname)
except OSError as error:
    fail("cannot connect to %s:%d: %s" % (url.hostname, port, error))

key = base64.b64encode(os.urandom(16)).decode()
target = (url.path or "/") + ("?" + url.query if url.query else "")
request = ["GET %s HTTP/1.1" % target, "Host: " + host_header, "Upgrade: websocket", "Connection: Upgrade",
           "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
request += ["%s: %s" % (name, value) for name, value in headers.items()]
buffer = b""


def read_more():
    global buffer
    try:
        chunk = sock.recv(65536)
    except socket.timeout:
        fail("no answer within %ss" % timeout)
    except OSError as error:
        fail("connection failed: %s" % error)
    if not chunk:
        fail("the connection was closed")
    buffer += chunk


def read_exact(count):
    global buffer
    while len(buffer) < count:
        read_more()
    data, buffer = buffer[:count], buffer[count:]
    return data


def send_frame(opcode, payload):
    # Client frames are masked (RFC 6455 5.3).
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack(">BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack(">BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack(">BBQ", 0x80 | opcode, 0x80 | 127, length)
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def read_frame():
    first, second = read_exact(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", read_exact(2))[0]
    elif length == 127:
        length = struct.unpack(">Q", read_exact(8))[0]
    mask = read_exact(4) if second & 0x80 else None
    payload = read_exact(length)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return first & 0x0F, payload


sock.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
while b"\r\n\r\n" not in buffer:
    read_more()
head, buffer = buffer.split(b"\r\n\r\n", 1)
head_lines = head.decode("iso-8859-1").split("\r\n")
status = head_lines[0]
if len(status.split()) < 2 or status.split()[1] != "101":
    fail("%s answered %r, not 101 Switching Protocols" % (url.geturl(), status))
answer = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip() for line in head_lines[1:] if ":" in line}
expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
if answer.get("sec-websocket-accept") != expected:
    fail("Sec-WebSocket-Accept is %r, expected %r" % (answer.get("sec-websocket-accept"), expected))
print("ok: %s: %s" % (url.geturl(), status), flush=True)

if echo:
    send_frame(0x1, message.encode())
    while True:
        opcode, payload = read_frame()
        if opcode == 0x9:
            send_frame(0xA, payload)
        elif opcode == 0xA:
            continue
        elif opcode == 0x8:
            code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
            fail("the session was closed (%d %s) before the echo" % (code, payload[2:].decode(errors="replace")))
        elif opcode == 0x1 and payload == message.encode():
            print("ok: the message came back: %r" % message, flush=True)
            break
        else:
            fail("expected the echo %r, got opcode %d: %r" % (message, opcode, payload[:200]))

send_frame(0x8, struct.pack(">H", 1000))
while True:
    opcode, payload = read_frame()
    if opcode == 0x8:
        print("ok: closed (%d)" % (struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005), flush=True)
        break
sock.close()
