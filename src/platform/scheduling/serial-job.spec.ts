import { SerialJob } from './serial-job';

describe('SerialJob', () => {
  it('never runs the work twice at once: calls queue, each with its own result', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const job = new SerialJob(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return ++calls;
    });
    expect(await Promise.all([job.run(), job.run(), job.run()])).toEqual([1, 2, 3]);
    expect(most).toBe(1);
  });

  it('goes on after a failed run', async () => {
    let calls = 0;
    const job = new SerialJob(() => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(7)));
    const [failed, next] = [job.run(), job.run()];
    await expect(failed).rejects.toThrow('down');
    expect(await next).toBe(7);
  });

  it('ticks every interval, skips a tick while a run is going, and runs once more when stopped', async () => {
    jest.useFakeTimers();
    try {
      let runs = 0;
      let release: () => void = () => undefined;
      const job = new SerialJob(async () => {
        runs += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return runs;
      });
      job.start(100);
      await jest.advanceTimersByTimeAsync(100);
      expect(runs).toBe(1);
      await jest.advanceTimersByTimeAsync(300); // the first run still going: ticks skipped
      expect(runs).toBe(1);
      release();
      await jest.advanceTimersByTimeAsync(100);
      expect(runs).toBe(2);
      release();
      const stopped = job.stop();
      await jest.advanceTimersByTimeAsync(0);
      release();
      await stopped;
      expect(runs).toBe(3);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(runs).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
