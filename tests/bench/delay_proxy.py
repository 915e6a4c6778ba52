#!/usr/bin/env python3
"""delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS: a TEST TOOL for make
bench-wan.  A TCP proxy on 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT
that holds every chunk DELAY_MS milliseconds in each direction (order
kept, no bandwidth limit): a link with a round trip of 2 x DELAY_MS, as to
a real CA.  TLS passes through untouched.  Prints "ready" when listening;
counts connections in the file named by DELAY_PROXY_LOG, if set."""
import asyncio
import os
import sys


async def pipe(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def pump():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.create_task(pump())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, data))
            if not data:
                break
        await task
    except (ConnectionError, OSError):
        task.cancel()


async def main(listen, target, delay):
    log = os.environ.get("DELAY_PROXY_LOG")

    async def handle(cr, cw):
        if log:
            with open(log, "a") as f:
                f.write("connect\n")
        try:
            sr, sw = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pipe(cr, sw, delay), pipe(sr, cw, delay),
                             return_exceptions=True)
        for w in (sw, cw):
            w.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("ready", flush=True)
    async with srv:
        await srv.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]),
                     int(sys.argv[3]) / 1000.0))
