"""A browser's queue: bounded where it is filled, the oldest dropped first and counted."""

import asyncio
import threading

from ground.server.web.feed import BrowserQueue


def test_the_bound_holds_in_the_filling_thread_and_the_oldest_go_first():
    async def scenario():
        queue = BrowserQueue(asyncio.get_running_loop(), limit=16)
        filler = threading.Thread(target=lambda: [queue.offer(str(i)) for i in range(1000)])
        filler.start()
        filler.join()                        # the loop has not run once meanwhile
        assert len(queue.items) == 16        # held to the bound all the same
        await asyncio.wait_for(queue.ready.wait(), 5)
        items, dropped = queue.take()
        assert items == [str(i) for i in range(984, 1000)] and dropped == 984
        assert queue.take() == ([], 984)

    asyncio.run(scenario())
