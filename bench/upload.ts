// A large generated file (seeded PRNG, written to disk once) into a batch:
// through the gateway's uploadBatchFile (GraphQL multipart request) and
// straight to the emulator with the protocol the gateway uses for that size
// (one PUT up to the small-file limit, else INITIALIZE / PATCH parts /
// COMPLETE). Throughput, the gateway's peak RSS growth, and a byte-exact
// check: sha256 of what the emulator stored against sha256 of what was sent.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileChunks } from './lib/file-chunks.ts';
import { postMultipart } from './lib/multipart.ts';
import { writeRandomFile } from './lib/generate.ts';
import { WORK_DIR } from './lib/paths.ts';
import { RestClient, startEmulatorProcess, storedUploadDigest } from './lib/platform.ts';
import { cpuTimeMs, measureRssGrowth, rssBytes, sleep } from './lib/proc.ts';
import type { BenchOptions, BenchReport } from './lib/results.ts';
import { table } from './lib/results.ts';
import { atLeast, atMost, fmt, fmtBytes, fmtRatio, median, NOISY_SPREAD, ratio, spread } from './lib/stats.ts';
import { buildHive, startGatewayProcess, TARGET_LABELS } from './lib/targets.ts';

const MIB = 1024 * 1024;
/** The gateway's defaults (docs/configuration.md): SMALL_FILE_LIMIT 256 MiB, UPLOAD_PART_SIZE 64 MiB. */
const SMALL_FILE_LIMIT = 256 * MIB;
const PART_SIZE = 64 * MIB;

type Name = 'gateway' | 'direct';

function cpuCell(cpu: { gateway: number; emulator: number; client: number; total: number }): string {
  return `${fmt(cpu.gateway, 2)} / ${fmt(cpu.emulator, 2)} / ${fmt(cpu.client, 2)} = ${fmt(cpu.total, 2)}`;
}

interface UploadRun {
  readonly round: number;
  readonly target: Name;
  readonly bytes: number;
  readonly seconds: number;
  readonly mibPerSecond: number;
  readonly sentSha256: string;
  readonly storedSha256: string;
  readonly storedBytes: number;
  readonly byteExact: boolean;
  readonly protocol: string;
  readonly gatewayRssBeforeBytes?: number;
  readonly gatewayPeakRssGrowthBytes?: number;
  /** CPU time (user + system, all threads) during the upload: the gateway's (0 for direct), the emulator's, and this process's (the client). */
  readonly gatewayCpuMs: number;
  readonly emulatorCpuMs: number;
  readonly clientCpuMs: number;
}

export async function run({ quick, log }: BenchOptions): Promise<BenchReport> {
  // UPLOAD_BENCH_BYTES overrides the size (e.g. 1 GiB in a quick run, to look at memory alone).
  const size = process.env.UPLOAD_BENCH_BYTES ? Number(process.env.UPLOAD_BENCH_BYTES) : quick ? 64 * MIB : 1024 * MIB;
  if (!(Number.isSafeInteger(size) && size > 0)) throw new Error(`UPLOAD_BENCH_BYTES must be a positive whole number of bytes, not ${process.env.UPLOAD_BENCH_BYTES}`);
  const rounds = quick ? 2 : 3;
  const notes: string[] = [];
  // Generated once, before any upload, and read from disk by every upload (from the page cache after the
  // first): a user's file exists before they pick it. Generating the bytes while sending them cost the
  // client 1.4 ms of CPU per MiB (the AES keystream), on the two cores the processes measured share.
  const fileDir = join(WORK_DIR, `upload-${process.pid}`);
  await mkdir(fileDir, { recursive: true });
  const file = join(fileDir, 'generated.bin');
  const fileSha256 = await writeRandomFile(file, size, 1000);
  const read = (start = 0, end = size - 1) => fileChunks(file, start, end);
  const emulator = await startEmulatorProcess({ smallFileLimit: SMALL_FILE_LIMIT });
  try {
    const rest = new RestClient(emulator.url, emulator.headers);
    const schema = await rest.loyaltySchema();
    const datasetId = await rest.createDataset('Upload benchmark', schema.id);
    const gateway = await startGatewayProcess(emulator, { SMALL_FILE_LIMIT: String(SMALL_FILE_LIMIT), UPLOAD_PART_SIZE: String(PART_SIZE) });
    const runs: UploadRun[] = [];
    /** The gateway's RSS growth during its warm-up upload: its first upload. */
    let warmUpRssGrowth = 0;
    // The growth counts from a gateway that has answered one query, as the subscriptions benchmark's
    // does: what a process takes on its first request of any kind (up to about 15 MiB: compiled code, the
    // upstream token, Apollo's first run) is not the upload's. From the fresh process it is printed too.
    const freshRss = rssBytes(gateway.pid);
    const served = await fetch(gateway.graphqlUrl, { method: 'POST', headers: gateway.headers, body: JSON.stringify({ query: `{ dataset(id: ${JSON.stringify(datasetId)}) { id name } }` }) });
    if (served.status !== 200) throw new Error(`gateway query: ${served.status} ${await served.text()}`);
    await served.arrayBuffer();
    await sleep(500);
    /** From the fresh process's RSS to the warm-up's peak. */
    let freshRssGrowth = 0;

    // The measured uploads ask for what a direct upload tells its client (name, bytes, protocol); the
    // warm-up also asks for the sha256, which the gateway computes only when it is selected, and checks it.
    const throughGateway = async (batchId: string, name: string, bytes: number, withSha256 = false) => {
      const { status, body } = await postMultipart<{ uploadBatchFile: { file: { bytes: number; sha256?: string; protocol: string } } }>({
        url: gateway.graphqlUrl,
        headers: { 'x-gateway-api-key': gateway.headers['x-gateway-api-key'] ?? '' },
        // The size announced, as a browser does from File.size: the gateway then streams every request upstream.
        query: `mutation ($batchId: ID!, $file: Upload!, $fileName: String, $size: Float) { uploadBatchFile(input: { batchId: $batchId, file: $file, fileName: $fileName, size: $size }) { file { fileName bytes protocol${withSha256 ? ' sha256' : ''} } } }`,
        variables: { batchId, file: null, fileName: name, size: bytes },
        path: 'variables.file',
        fileName: name,
        file: read(),
      });
      const file = body.data?.uploadBatchFile.file;
      if (status !== 200 || !file) throw new Error(`gateway upload: ${status} ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
      return file;
    };
    const direct = async (batchId: string, name: string, bytes: number): Promise<string> => {
      await rest.uploadFile(batchId, datasetId, name, bytes, read, SMALL_FILE_LIMIT, PART_SIZE);
      return bytes <= SMALL_FILE_LIMIT ? 'SINGLE' : 'LARGE';
    };

    try {
      // One unmeasured upload of the full size each first. With a short warm-up (64 MiB) the first measured
      // GiB cost every process more CPU per MiB than the later ones, and the throughput of the first rounds
      // drifted up by 20-30% before it settled. The gateway's RSS growth counts from before this upload,
      // the gateway's first, so memory taken once by the first upload is not hidden by the warm-up.
      for (const target of ['gateway', 'direct'] as const) {
        const batchId = await rest.createBatch(datasetId, 'parquet');
        if (target === 'gateway') {
          const { value: answer, growth, before } = await measureRssGrowth(gateway.pid, () => throughGateway(batchId, 'warm-up.bin', size, true));
          warmUpRssGrowth = growth;
          freshRssGrowth = before + growth - freshRss;
          log(`warm-up gateway ${fmtBytes(size)}: gateway peak RSS growth ${fmtBytes(growth)} (${fmtBytes(freshRssGrowth)} from the fresh process, before its first query)`);
          if (answer.sha256 !== fileSha256) notes.push(`warm-up: the gateway reported sha256 ${answer.sha256} for bytes whose sha256 is ${fileSha256}`);
        } else await direct(batchId, 'warm-up.bin', size);
        await rest.json('POST', `/data/foundation/import/batches/${batchId}?action=ABORT`).catch(() => undefined);
      }
      // Strictly alternating (gateway, direct, gateway, ...; the warm-ups end with direct), so that every
      // measured upload follows one of the other target. With a rotated order, two uploads of one target
      // ran back to back, and the second of such a pair came out 10-20% slower than that target's uploads
      // that followed the other one.
      for (let round = 0; round < rounds; round++) {
        for (const target of ['gateway', 'direct'] as const) {
          const batchId = await rest.createBatch(datasetId, 'parquet');
          const name = `upload-${round}-${target}.bin`;
          let protocol: string;
          let rssBefore: number | undefined;
          let rssGrowth: number | undefined;
          const cpuBefore = { gateway: cpuTimeMs(gateway.pid), emulator: cpuTimeMs(emulator.pid), client: process.cpuUsage() };
          const t0 = performance.now();
          if (target === 'gateway') {
            const measured = await measureRssGrowth(gateway.pid, () => throughGateway(batchId, name, size));
            rssBefore = measured.before;
            rssGrowth = measured.growth;
            protocol = measured.value.protocol;
          } else {
            protocol = await direct(batchId, name, size);
          }
          const seconds = (performance.now() - t0) / 1000;
          const client = process.cpuUsage(cpuBefore.client);
          const cpu = { gateway: cpuTimeMs(gateway.pid) - cpuBefore.gateway, emulator: cpuTimeMs(emulator.pid) - cpuBefore.emulator, client: (client.user + client.system) / 1000 };
          const sent = fileSha256;
          const stored = await storedUploadDigest(emulator.dataDir, batchId, name);
          const result: UploadRun = {
            round,
            target,
            bytes: size,
            seconds,
            mibPerSecond: size / MIB / seconds,
            sentSha256: sent,
            storedSha256: stored.sha256,
            storedBytes: stored.size,
            byteExact: stored.sha256 === sent && stored.size === size,
            protocol,
            ...(rssBefore !== undefined ? { gatewayRssBeforeBytes: rssBefore, gatewayPeakRssGrowthBytes: rssGrowth } : {}),
            gatewayCpuMs: cpu.gateway,
            emulatorCpuMs: cpu.emulator,
            clientCpuMs: cpu.client,
          };
          runs.push(result);
          log(
            `round ${round + 1}/${rounds} ${target.padEnd(7)} ${fmtBytes(size)} in ${fmt(seconds, 2)} s = ${fmt(result.mibPerSecond, 1)} MiB/s (${protocol}); byte-exact ${result.byteExact}` +
              (rssGrowth !== undefined ? `; gateway peak RSS growth ${fmtBytes(rssGrowth)}` : '') +
              `; CPU ms gateway ${fmt(cpu.gateway)}, emulator ${fmt(cpu.emulator)}, client ${fmt(cpu.client)}`,
          );
          // Frees the stored bytes before the next round.
          await rest.json('POST', `/data/foundation/import/batches/${batchId}?action=ABORT`).catch(() => undefined);
        }
      }
    } finally {
      await gateway.stop();
    }

    // Can Hive Gateway's generated schema express the upload? Look at what it generated from batch-ingestion.yaml.
    let hiveVerdict: string;
    try {
      const build = await buildHive(emulator, ['ingestion']);
      const { readFile } = await import('node:fs/promises');
      const sdl = await readFile(build.schemaFile, 'utf8');
      const small = /\n {2}uploadSmallFile\(([\s\S]*?)\):/.exec(sdl)?.[1] ?? '';
      const args = [...small.matchAll(/^\s{4}(\w+):/gm)].map((m) => m[1]);
      hiveVerdict = `Hive Gateway (Mesh Compose + @omnigraph/openapi on batch-ingestion.yaml) generates Mutation.uploadSmallFile(${args.join(', ')}) with no argument for the file's bytes, so the single-PUT upload cannot be expressed; uploadLargeFilePart takes input: { file: File! } per part, which leaves the client to split the file, send Content-Range per part and run INITIALIZE/COMPLETE itself. Not measured.`;
    } catch (error) {
      hiveVerdict = `Hive Gateway's schema could not be generated from batch-ingestion.yaml: ${String(error).split('\n')[0]}`;
    }
    notes.push(hiveVerdict);

    const by = (t: Name) => runs.filter((r) => r.target === t);
    const gwMiBs = by('gateway').map((r) => r.mibPerSecond);
    const directMiBs = by('direct').map((r) => r.mibPerSecond);
    for (const [t, v] of [['gateway', gwMiBs], ['direct', directMiBs]] as const) if (spread(v) > NOISY_SPREAD) notes.push(`Noisy: ${t} throughput varied by ${fmt(spread(v) * 100)}% between runs.`);
    const throughputRatio = ratio(median(gwMiBs), median(directMiBs));
    const peakGrowth = Math.max(warmUpRssGrowth, ...by('gateway').map((r) => r.gatewayPeakRssGrowthBytes ?? 0));
    // CPU time per MiB, whole path: on a machine whose cores are all busy, throughput follows it more steadily than the clock does.
    const cpuPerMiB = (r: UploadRun) => ({ gateway: r.gatewayCpuMs / (r.bytes / MIB), emulator: r.emulatorCpuMs / (r.bytes / MIB), client: r.clientCpuMs / (r.bytes / MIB) });
    const cpuMedians = (t: Name) => {
      const per = by(t).map(cpuPerMiB);
      const m = { gateway: median(per.map((c) => c.gateway)), emulator: median(per.map((c) => c.emulator)), client: median(per.map((c) => c.client)) };
      return { ...m, total: m.gateway + m.emulator + m.client };
    };
    const gwCpu = cpuMedians('gateway');
    const directCpu = cpuMedians('direct');
    const cpuRatio = ratio(directCpu.total, gwCpu.total);
    const allExact = runs.every((r) => r.byteExact);
    if (!allExact) notes.push('Some uploads were NOT byte-exact: see the runs in the JSON.');

    return {
      name: 'upload',
      title: `Upload: a ${fmtBytes(size)} generated file through uploadBatchFile vs straight to the emulator`,
      conditions: [
        `${rounds} rounds after one unmeasured upload of the same size each, then gateway and direct strictly alternating (each measured upload follows one of the other target); one emulator and one gateway process (SMALL_FILE_LIMIT ${fmtBytes(SMALL_FILE_LIMIT)}, UPLOAD_PART_SIZE ${fmtBytes(PART_SIZE)}); the file is generated once before the uploads (a seeded AES-CTR keystream) and every upload reads it from disk, 1 MiB at a time`,
        'the gateway\'s answer selects fileName, bytes and protocol (what a direct upload tells its client), not sha256; the warm-up selects sha256 and checks it',
        'throughput: bytes / time from the first byte sent to the response (gateway: multipart POST, with a boundary as Chrome makes one, to the mutation\'s answer; direct: PUT, or INITIALIZE + PATCH parts + COMPLETE)',
        'gateway RSS: sampled from /proc/<pid>/status every 20 ms; growth = peak during an upload minus RSS just before it; the figure is the largest over every upload, the warm-up (the gateway\'s first upload, after it answered one query) included; "from the fresh process" also counts what the process took for that first query',
        'byte-exact: sha256 of the blob the emulator stored (read from its data folder) equals sha256 of the generated file, taken when it was written',
        'CPU: user + system time from /proc/<pid>/stat (gateway, emulator) and process.cpuUsage() (the client, this process, which reads the file and sends it), per MiB uploaded; medians',
      ],
      markdown: [
        table(
          ['target', 'throughput (median)', 'protocol', 'byte-exact', 'gateway peak RSS growth (max, warm-up included; from the fresh process)', 'CPU ms/MiB: gateway / emulator / client = total'],
          [
            [TARGET_LABELS.gateway, `${fmt(median(gwMiBs), 1)} MiB/s`, by('gateway')[0]?.protocol ?? 'n/a', String(by('gateway').every((r) => r.byteExact)), `${fmtBytes(peakGrowth)}; ${fmtBytes(freshRssGrowth)}`, cpuCell(gwCpu)],
            [TARGET_LABELS.direct, `${fmt(median(directMiBs), 1)} MiB/s`, by('direct')[0]?.protocol ?? 'n/a', String(by('direct').every((r) => r.byteExact)), '', cpuCell(directCpu)],
          ],
        ),
        '',
        table(
          ['target', 'measured', 'met'],
          [
            ['gateway throughput >= 80% of direct', fmtRatio(throughputRatio), atLeast(throughputRatio, 0.8)],
            [`gateway RSS growth < 64 MB (target stated for 1 GiB; this run: ${fmtBytes(size)})`, fmtBytes(peakGrowth), atMost(peakGrowth, 64_000_000 - 1)],
            ['byte-exact (sha256 stored = sha256 sent)', String(allExact), allExact ? 'yes' : 'no'],
            ['(no target) CPU per MiB, direct total / gateway-path total', fmtRatio(cpuRatio), ''],
          ],
        ),
      ].join('\n'),
      notes,
      data: { size, rounds, smallFileLimit: SMALL_FILE_LIMIT, partSize: PART_SIZE, runs, throughputRatio, peakGrowthBytes: peakGrowth, freshProcessRssGrowthBytes: freshRssGrowth, allExact, cpuPerMiB: { gateway: gwCpu, direct: directCpu }, cpuRatio, hive: hiveVerdict },
    };
  } finally {
    await emulator.close();
    await rm(fileDir, { recursive: true, force: true });
  }
}
