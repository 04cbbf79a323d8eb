import { randomUUID } from "node:crypto";
import { type BatchStatus, isSettled, readBatchStatus } from "../../src/batches/batch-status";
import { purgeFailed, retryFailed, selectFailedIds } from "../../src/batches/failed-jobs";
import { type Config, loadConfig } from "../../src/config/config";
import { batchOfJobId } from "../../src/jobs/job-id";
import { createLogger } from "../../src/logging/logger";
import { type Simulator, startSimulator } from "../../src/simulator";
import { connectOperator, type OperatorConnections } from "../../src/wiring/operator";
import { type ConnectedProducer, connectDeliveryProducer } from "../../src/wiring/producer";
import { type RunningDeliveryWorker, startDeliveryWorker } from "../../src/worker/start";
import { runCli, stderrBeyondTarget } from "../support/cli";
import { guestJobs } from "../support/deliveries";
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from "../support/redis";
import { sleep, waitUntil } from "../support/wait";

/**
 * `failed retry` and `failed purge` run by several operators at once, and while workers deliver:
 * whatever the interleaving, each job is counted once, and a batch whose jobs are all done reads
 * as done. The counts are checked against what Redis holds, not against one another.
 */
describe("failed retry and purge, interleaved", () => {
  const redis = testRedis();
  const queueName = `test-${randomUUID()}`;
  const prefix = uniquePrefix("failed-race");
  const logger = createLogger({ level: "silent" });
  const simulators: Simulator[] = [];
  const operators: OperatorConnections[] = [];
  let producer: ConnectedProducer;
  let worker: RunningDeliveryWorker | undefined;

  const settings = (sim: Simulator): Record<string, string> => ({
    REDIS_URL: testRedisUrl(),
    QUEUE_NAME: queueName,
    REDIS_KEY_PREFIX: prefix,
    AXELNAC_URL: sim.url,
    AXELNAC_USERNAME: "admin",
    AXELNAC_PASSWORD: "admin",
    // One attempt: a delivery the appliance fails is failed at once, ready to be retried.
    DELIVERY_ATTEMPTS: "1",
    WORKER_CONCURRENCY: "20",
    AXELNAC_MAX_IN_FLIGHT: "20",
    SHUTDOWN_TIMEOUT: "5s",
    LOG_LEVEL: "silent",
  });

  /** An appliance that knows no guest (every send is a 404, failed at once), or every guest. */
  const appliance = async (knowsGuests: boolean) => {
    const sim = await startSimulator({ port: 0, guests: knowsGuests ? undefined : new Map() });
    simulators.push(sim);
    return sim;
  };

  const runWorker = async (config: Config | undefined) => {
    await worker?.close();
    worker = config ? await startDeliveryWorker(config, logger) : undefined;
  };

  /** A separate connection, as another operator's command has. */
  const operator = async (config: Config) => {
    const connections = await connectOperator(config, logger);
    operators.push(connections);
    return connections;
  };

  /** What Redis holds of a batch's jobs, by state. */
  const jobsInRedis = async (op: OperatorConnections, batch: string) => {
    const count = async (states: ("wait" | "prioritized" | "active" | "delayed")[]) =>
      (await op.queue.getRanges(states, 0, -1)).filter((id) => batchOfJobId(id) === batch).length;
    return {
      waiting: await count(["wait", "prioritized"]),
      active: await count(["active"]),
      delayed: await count(["delayed"]),
      failed: (await op.queue.getRanges(["failed"], 0, -1)).filter(
        (id) => batchOfJobId(id) === batch,
      ).length,
    };
  };

  /** A batch of `count` deliveries that all failed, with the workers' counts written. */
  const failedBatch = async (config: Config, count: number) => {
    const batch = `race-${randomUUID().slice(0, 8)}`;
    await runWorker(config);
    await producer.producer.enqueueMany(
      guestJobs(count, batch).map((job) => ({ ...job, batch_id: batch })),
      { priority: 1000 },
    );
    const op = operators[0] as OperatorConnections;
    await waitUntil(
      async () => (await readBatchStatus(op.queue, redis, op.keys, batch)).failed === count,
      { timeoutMs: 30_000, what: `${count} failures of ${batch} counted` },
    );
    await runWorker(undefined);
    return batch;
  };

  // Each operator goes through the jobs in an order of its own, so that every interleaving of
  // two operators on one job occurs: retried then purged, purged then retried, retried twice.
  // How often an operator found a job already taken by another: the interleavings that occurred.
  let foundGone = 0;
  const retry = async (op: OperatorConnections, batch: string) => {
    const ids = shuffled(await selectFailedIds(op.queue, op.redis, { batch }));
    const { changed, gone } = await retryFailed(ids, { ...op, batch });
    foundGone += gone;
    return changed;
  };
  const purge = async (op: OperatorConnections, batch: string) => {
    const ids = shuffled(await selectFailedIds(op.queue, op.redis, { batch }));
    const { changed, gone } = await purgeFailed(ids, { ...op, batch });
    foundGone += gone;
    return changed;
  };

  beforeAll(async () => {
    const config = loadConfig(settings(await appliance(false)));
    producer = await connectDeliveryProducer(config, logger);
    for (let n = 0; n < 4; n++) await operator(config);
  });

  afterAll(async () => {
    await runWorker(undefined);
    await producer.close();
    for (const op of operators) await op.close();
    for (const sim of simulators) await sim.close();
    await deleteKeys(redis, `bull:${queueName}:`);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("retry and purge of the same jobs at once: each job retried or purged, counted once", async () => {
    const config = loadConfig(settings(simulators[0] as Simulator));
    const [first, second, third, fourth] = operators as [
      OperatorConnections,
      OperatorConnections,
      OperatorConnections,
      OperatorConnections,
    ];
    const rounds: { retried: number; purged: number; foundGone: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = await failedBatch(config, 300);
      foundGone = 0;
      // Two operators retry the batch while two others purge it, each on its own connection.
      const outcomes = await Promise.allSettled([
        retry(first, batch),
        purge(second, batch),
        retry(third, batch),
        purge(fourth, batch),
      ]);
      const done = outcomes.map((o) =>
        o.status === "fulfilled" ? o.value : String(o.reason).slice(0, 60),
      );
      const [retried, purged] = [
        Number(done[0]) + Number(done[2]),
        Number(done[1]) + Number(done[3]),
      ];

      const status = await readBatchStatus(first.queue, redis, first.keys, batch);
      const held = await jobsInRedis(first, batch);
      expect({
        round,
        status: counts(status),
        retried,
        purged,
        failedLeft: held.failed,
        done,
      }).toEqual({
        round,
        status: {
          total: 300,
          // Retried jobs wait (no worker runs); purged ones are gone and stay counted as failed.
          waiting: held.waiting,
          delayed: 0,
          active: 0,
          delivered: 0,
          failed: 300 - held.waiting,
        },
        // Every job was acted on exactly once; nobody's command failed for another's.
        retried: held.waiting,
        purged: 300 - held.waiting,
        failedLeft: 0,
        done: [expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)],
      });
      rounds.push({ retried, purged, foundGone });
    }
    console.log(`retry and purge at once, 300 jobs a round: ${JSON.stringify(rounds)}`);
  }, 120_000);

  it("retries and purges by several operators while workers deliver and fail and an import adds to the batch: it settles with counts that match the appliance", async () => {
    const failing = simulators[0] as Simulator;
    const batch = await failedBatch(loadConfig(settings(failing)), 400);
    const fixed = await appliance(true);
    // A third of the deliveries fail again: the retries race the workers' failures.
    fixed.setFaults({ failRate: 0.3 });
    await runWorker(loadConfig(settings(fixed)));
    const [first, second, third, fourth] = operators as OperatorConnections[];
    let purged = 0;
    const errors: string[] = [];
    const until = Date.now() + 4_000;
    const loop = async (
      act: () => Promise<number>,
      pauseMs: number,
      onDone = (_: number) => {},
    ) => {
      while (Date.now() < until) {
        try {
          onDone(await act());
        } catch (error) {
          if (errors.length < 3) errors.push(String(error).slice(0, 60));
        }
        await sleep(pauseMs);
      }
    };
    await Promise.all([
      loop(() => retry(first as OperatorConnections, batch), 0),
      loop(() => retry(second as OperatorConnections, batch), 0),
      loop(() => retry(third as OperatorConnections, batch), 5),
      loop(
        () => purge(fourth as OperatorConnections, batch),
        400,
        (n) => {
          purged += n;
        },
      ),
      // An import into the same batch meanwhile: 20 chunks of 10 new guests.
      (async () => {
        const late = guestJobs(200, `${batch}-late`).map((job) => ({ ...job, batch_id: batch }));
        for (let at = 0; at < late.length; at += 10) {
          await producer.producer.enqueueMany(late.slice(at, at + 10), { priority: 1000 });
          await sleep(150);
        }
      })(),
    ]);
    fixed.setFaults({ failRate: 0 });

    const op = first as OperatorConnections;
    // Done when Redis holds no pending job of the batch and the workers' counts are written.
    await waitUntil(
      async () => {
        const held = await jobsInRedis(op, batch);
        const status = await readBatchStatus(op.queue, redis, op.keys, batch);
        return (
          held.waiting + held.active + held.delayed === 0 &&
          status.delivered + status.failed === status.total
        );
      },
      {
        timeoutMs: 30_000,
        what: `${batch} done and counted`,
        describe: async () => ({
          held: await jobsInRedis(op, batch),
          status: await readBatchStatus(op.queue, redis, op.keys, batch),
        }),
      },
    );
    await sleep(1_500); // a late counter flush would show now
    const status = await readBatchStatus(op.queue, redis, op.keys, batch);
    const held = await jobsInRedis(op, batch);
    const sent = fixed.outbox().filter((sms) => sms.pid.startsWith(`${batch}-`)).length;
    console.log(
      `retries during delivery: ${JSON.stringify({ ...counts(status), purged, sent, failedHeld: held.failed })}`,
    );
    expect({ errors, settled: isSettled(status), status: counts(status) }).toEqual({
      errors: [],
      settled: true,
      status: {
        total: 600,
        waiting: 0,
        delayed: 0,
        active: 0,
        delivered: sent,
        failed: held.failed + purged,
      },
    });
  }, 120_000);

  it("as separate processes: `failed retry` and `failed purge` run at once agree with Redis", async () => {
    const config = loadConfig(settings(simulators[0] as Simulator));
    const batch = await failedBatch(config, 500);
    const env = settings(simulators[0] as Simulator);
    const results = await Promise.all([
      runCli(["failed", "retry", "--batch", batch], env),
      runCli(["failed", "purge", "--batch", batch], env),
      runCli(["failed", "retry", "--batch", batch], env),
    ]);
    for (const result of results)
      expect({ code: result.code, stderr: stderrBeyondTarget(result.stderr) }).toEqual({
        code: 0,
        stderr: "",
      });
    const op = operators[0] as OperatorConnections;
    const status = await readBatchStatus(op.queue, redis, op.keys, batch);
    const held = await jobsInRedis(op, batch);
    expect(counts(status)).toEqual({
      total: 500,
      waiting: held.waiting,
      delayed: 0,
      active: 0,
      delivered: 0,
      failed: 500 - held.waiting,
    });
    expect(held.failed).toBe(0);
  }, 120_000);
});

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function counts(status: BatchStatus) {
  const { total, waiting, delayed, active, delivered, failed } = status;
  return { total, waiting, delayed, active, delivered, failed };
}
