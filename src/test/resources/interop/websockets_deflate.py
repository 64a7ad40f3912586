"""Python websockets (the Debian package python3-websockets) on one side of the gateway, with its
default permessage-deflate, for PythonWebsocketsIntegrationTests.

  client URL    runs the client scenario through the gateway, prints one JSON line, exits 0 if it held
  server        echo server on 127.0.0.1: prints {"port": N}, then {"offer": ...} for each handshake;
                ends when its standard input closes (or after 120 s)
"""
import asyncio
import json
import os
import sys

import websockets


def headers_of(message_holder, legacy_name):
    # websockets up to 13 (legacy API): ws.request_headers / ws.response_headers; later: ws.request.headers.
    legacy = getattr(message_holder, legacy_name, None)
    if legacy is not None:
        return legacy
    part = message_holder.request if legacy_name == "request_headers" else message_holder.response
    return part.headers


def close_code(closed):
    rcvd = getattr(closed, "rcvd", None)
    return rcvd.code if rcvd is not None else closed.code


async def client(url):
    facts = {}
    async with websockets.connect(url, max_size=1 << 20) as ws:
        facts["extensions"] = headers_of(ws, "response_headers").get("Sec-WebSocket-Extensions")
        # 100,000 bytes of JSON: over the gateway's 32769-byte limit as text, far under it compressed.
        big = json.dumps([{"user": "zoë", "room": "général", "seq": i, "text": "see you at 8 ☕"} for i in range(1400)])
        big = big[:100_000]
        await ws.send(big)
        assert await ws.recv() == big, "big text"
        blob = bytes(range(256)) * 40
        await ws.send(blob)
        assert await ws.recv() == blob, "binary"

        async def fragments():
            yield "part one, "
            await ws.ping(b"between")  # a control frame between the fragments of a compressed message
            yield "part two"

        await ws.send(fragments())
        assert await ws.recv() == "part one, part two", "fragments"
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        facts["roundTrips"] = 3
    # A message over the limit on the wire: random bytes do not compress.
    async with websockets.connect(url, max_size=1 << 20) as ws:
        await ws.send("warm-up")
        await ws.recv()
        await ws.send(os.urandom(40_000))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            facts["overLimit"] = "echoed"
        except websockets.ConnectionClosed as closed:
            facts["overLimit"] = close_code(closed)
    print(json.dumps(facts), flush=True)


async def server():
    async def echo(ws, path=None):
        print(json.dumps({"offer": headers_of(ws, "request_headers").get("Sec-WebSocket-Extensions")}), flush=True)
        try:
            async for message in ws:
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass

    async with websockets.serve(echo, "127.0.0.1", 0, max_size=1 << 20) as running:
        port = running.sockets[0].getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        loop = asyncio.get_running_loop()
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
        try:
            await asyncio.wait_for(stdin_closed, 120)
        except asyncio.TimeoutError:
            pass
        # Not asyncio.run's return: it would wait for the thread still reading standard input.
        os._exit(0)


if __name__ == "__main__":
    if sys.argv[1] == "client":
        asyncio.run(asyncio.wait_for(client(sys.argv[2]), 60))
    else:
        asyncio.run(server())
