#!/usr/bin/env python3
"""The two loopback actors of scripts/soak.sh, in the standard library only.

  soak.py upstream PORT            an HTTP/1.1 upstream: GET answers 200 "ok" (keep-alive); POST /early answers 413
                                   at once without reading the body; other POSTs read the body and answer 200.
  soak.py hostile URL SECONDS      hostile clients against URL for SECONDS: slow headers, slow bodies, bodies
                                   promised and never sent, uploads the upstream answers early, idle sockets, resets
                                   and malformed requests; prints one JSON line of counts.
"""
import asyncio
import json
import random
import socket
import struct
import sys
import urllib.parse


async def upstream(port):
    async def serve(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                if method == "POST" and target.startswith("/early"):
                    writer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig")
                    await writer.drain()
                    break
                if length:
                    await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


async def hostile(url, seconds):
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname, parts.port
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    counts = {}

    def count(name):
        counts[name] = counts.get(name, 0) + 1

    async def connection():
        return await asyncio.open_connection(host, port)

    async def trickle(writer, data, pause):
        for i in range(0, len(data), 1):
            writer.write(data[i : i + 1])
            await writer.drain()
            await asyncio.sleep(pause)

    async def slow_headers():
        reader, writer = await connection()
        await trickle(writer, b"GET /slow HTTP/1.1\r\nHost: soak\r\nX-Slow: " + b"a" * 200, 0.5)

    async def slow_body():
        reader, writer = await connection()
        writer.write(b"POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n")
        await trickle(writer, b"b" * 200, 0.5)

    async def promised_body():
        reader, writer = await connection()
        writer.write(b"POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: 1000\r\n\r\n0123456789")
        await writer.drain()
        await reader.read()

    async def early_answer():
        reader, writer = await connection()
        writer.write(b"POST /early HTTP/1.1\r\nHost: soak\r\nContent-Length: 40000\r\n\r\n")
        for _ in range(40):
            writer.write(b"c" * 1000)
            await writer.drain()
            await asyncio.sleep(0.025)
        await reader.read()

    async def idle():
        reader, writer = await connection()
        await reader.read()

    async def reset():
        reader, writer = await connection()
        writer.write(b"POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: 5000\r\n\r\nabc")
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()

    async def garbage():
        reader, writer = await connection()
        writer.write(random.choice([
            b"GET / HTTP/1.1\nHost: soak\n\n",
            b"POST / HTTP/1.1\r\nHost: soak\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"GET /../etc/passwd HTTP/1.1\r\nHost: soak\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\", for=6.6.6.6\r\n\r\n",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        ]))
        await writer.drain()
        await reader.read()

    patterns = [slow_headers, slow_body, promised_body, early_answer, idle, reset, garbage]

    async def worker(pattern):
        while loop.time() < deadline:
            try:
                await asyncio.wait_for(pattern(), timeout=max(0.1, deadline - loop.time()))
                count(pattern.__name__)
            except (asyncio.TimeoutError, ConnectionError, OSError):
                count(pattern.__name__)
            await asyncio.sleep(0.01)

    # Several of each pattern at once, plus a crowd of idle sockets.
    tasks = [worker(pattern) for pattern in patterns for _ in range(4)]
    tasks += [worker(idle) for _ in range(200)]
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "upstream":
        asyncio.run(upstream(int(sys.argv[2])))
    else:
        asyncio.run(hostile(sys.argv[2], float(sys.argv[3])))
