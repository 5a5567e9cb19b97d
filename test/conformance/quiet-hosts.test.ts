// wire.quietHosts: the loader's checks (file:line: field.path: message; an invalid file
// runs nothing), and on a real topology: a quiet host's kernel answers no crafted TCP, UDP
// or SCTP while a capture on it still sees them, and nothing is left after teardown.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withTopology } from '../../netns/index.js';
import { ScenarioLoadError, formatScenarioError, loadScenarioFile, runConformance } from '../../src/conformance/index.js';
import { NFT, quietHosts } from '../../src/conformance/quiet-hosts.js';
import { type LayerSpec, buildPacket, decodePacket } from '../../src/packet/index.js';
import { namespacesOf } from './_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fp-conformance-quiet-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function scenario(name: string, wire: string, extraSteps: string[] = []): string {
  return [
    `name: ${name}`, //                                                         1
    'description: quiet hosts', //                                              2
    'modes: [packet, wire]', //                                                 3
    'topology: netns/topologies/three-host.yaml', //                            4
    'dut: router', //                                                           5
    wire, //                                                                    6
    'datapath:', //                                                             7
    '  interfaces: [{ ifname: to-client, port: 1 }, { ifname: to-server, port: 2 }]', // 8
    'steps:', //                                                                9
    '  - inject:', //                                                          10
    '      from: client:eth0', //                                              11
    '      packet: [{ type: eth, dst: "02:00:00:00:00:01", src: "02:00:00:00:00:09" }, { type: ipv4, src: 10.0.1.2, dst: 10.0.2.2 }]', // 12
    '      expect: { verdict: drop }', //                                      13
    ...extraSteps,
    '',
  ].join('\n');
}

function errorsOf(file: string): string[] {
  return loadScenarioFile(file).errors.map(formatScenarioError);
}

test('a valid wire section loads into the scenario model', (t) => {
  const r = loadScenarioFile(write('ok.yaml', scenario('quiet-ok', 'wire: { quietHosts: [client, server] }')));
  t.deepEqual(r.errors, []);
  t.deepEqual(r.scenarios[0]!.wire, { quietHosts: ['client', 'server'] });
  const none = loadScenarioFile(write('none.yaml', scenario('quiet-none', '# no wire section')));
  t.is(none.scenarios[0]!.wire, undefined);
});

test('quiet hosts must exist, must not be the dut, and run no server or send step', (t) => {
  const file = write(
    'semantic.yaml',
    scenario('quiet-semantic', 'wire: { quietHosts: [client, router, nowhere, server] }', [
      '  - { modes: [wire], server: { host: server, proto: tcp, port: 80 } }', // 14
      '  - { modes: [wire], send: { id: s, from: client, to: 10.0.2.2, proto: tcp, port: 80 } }', // 15
    ]),
  );
  t.deepEqual(errorsOf(file), [
    `${file}:6: wire.quietHosts[1]: 'router' is the dut: its kernel must stay free to take what the datapath hands it`,
    `${file}:6: wire.quietHosts[2]: unknown host 'nowhere' (hosts: client, router, server)`,
    `${file}:14: steps[1].server.host: 'server' is in wire.quietHosts, which drops the TCP/UDP/SCTP its server would answer`,
    `${file}:15: steps[2].send.from: 'client' is in wire.quietHosts, which drops the answers its send step waits for`,
  ]);
});

test('the wire section is checked against the schema', (t) => {
  const file = write('schema.yaml', scenario('quiet-schema', 'wire: { quietHosts: [client, client], loud: true }'));
  t.deepEqual(errorsOf(file), [
    `${file}:6: wire.loud: unknown field (allowed: quietHosts, cells, allowHostCounters, dutTxChecksum)`,
    `${file}:6: wire.quietHosts[1]: "client" is listed twice`,
  ]);
  const cells = write('cells.yaml', scenario('quiet-cells', 'wire: { cells: [tc/on, xdp/on] }'));
  t.deepEqual(errorsOf(cells), [
    `${cells}:6: wire.cells[1]: "xdp/on" does not match the pattern ^(tc|xdp-native|xdp-generic)/(on|off)(/no-gro)?$`,
  ]);
  const allowed = write('allowed.yaml', scenario('quiet-allowed', "wire: { allowHostCounters: ['nowhere:Tcp.InCsumErrors'] }"));
  t.deepEqual(errorsOf(allowed), [`${allowed}:6: wire.allowHostCounters[0]: unknown host 'nowhere' (hosts: client, router, server)`]);
  const notList = write('schema2.yaml', scenario('quiet-schema2', 'wire: { quietHosts: client }'));
  t.deepEqual(errorsOf(notList), [`${notList}:6: wire.quietHosts: expected a list, got "client"`]);
});

test('an invalid wire section: the file runs nothing', async (t) => {
  const bad = write('bad.yaml', scenario('quiet-bad', 'wire: { quietHosts: [router] }'));
  let planned = false;
  const err = await t.throwsAsync(
    runConformance({
      paths: [bad],
      onPlan: () => {
        planned = true;
      },
    }),
    { instanceOf: ScenarioLoadError },
  );
  t.false(planned);
  t.deepEqual(err.errors.map(formatScenarioError), [
    `${bad}:6: wire.quietHosts[0]: 'router' is the dut: its kernel must stay free to take what the datapath hands it`,
  ]);
});

const A_MAC = '02:9a:00:00:00:01';
const B_MAC = '02:9a:00:00:00:02';
const PAIR = {
  hosts: [{ name: 'a' }, { name: 'b' }],
  links: [
    {
      offloads: 'off',
      a: { host: 'a', ifname: 'eth0', addresses: ['10.9.0.1/24'], mac: A_MAC },
      b: { host: 'b', ifname: 'eth0', addresses: ['10.9.0.2/24'], mac: B_MAC },
    },
  ],
};

/** A crafted TCP SYN, UDP datagram and SCTP INIT from a to b, none of them listened for. */
function probes(): Buffer[] {
  const head = (id: number): LayerSpec[] => [
    { type: 'eth', dst: B_MAC, src: A_MAC },
    { type: 'ipv4', src: '10.9.0.1', dst: '10.9.0.2', ttl: 64, id },
  ];
  return [
    buildPacket([...head(1), { type: 'tcp', sport: 40001, dport: 9, seq: 1, flags: { syn: true } }]),
    buildPacket([...head(2), { type: 'udp', sport: 40002, dport: 9 }, { type: 'payload', data: Buffer.from('hello') }]),
    buildPacket([
      ...head(3),
      {
        type: 'sctp',
        sport: 40003,
        dport: 9,
        vtag: 0,
        chunks: [{ type: 'init', initiateTag: 1, initialTsn: 1, outStreams: 1, inStreams: 1 }],
      },
    ]),
  ];
}

/** What b's kernel answers a's probes with (IPv4 frames from b), and how many probes a
 *  capture on b's end saw. */
async function answersOf(quiet: boolean): Promise<{ answers: string[]; seenAtB: number; pid: number }> {
  return withTopology(PAIR, async (topo) => {
    // Static neighbours: no ARP, so b's only IPv4 frames are answers.
    await topo.exec('a', ['ip', 'neigh', 'replace', '10.9.0.2', 'lladdr', B_MAC, 'dev', 'eth0', 'nud', 'permanent']);
    await topo.exec('b', ['ip', 'neigh', 'replace', '10.9.0.1', 'lladdr', A_MAC, 'dev', 'eth0', 'nud', 'permanent']);
    if (quiet) await quietHosts(topo, ['b']);
    const a = await topo.startAgent('a');
    const b = await topo.startAgent('b');
    const capA = (await a.captureStart({ ifname: 'eth0' })).captureId;
    const capB = (await b.captureStart({ ifname: 'eth0' })).captureId;
    await a.l2Send('eth0', probes());
    await sleep(300);
    const atA = await a.captureStop(capA);
    const atB = await b.captureStop(capB);
    // IPv4 only: the hosts' kernels send IPv6 neighbour discovery and MLD of their own.
    const ipv4From =
      (mac: string) =>
      (f: Buffer): boolean =>
        f.subarray(6, 12).toString('hex') === mac.replaceAll(':', '') && f.readUInt16BE(12) === 0x0800;
    const fromB = atA.raw.filter(ipv4From(B_MAC));
    const answers = fromB.map((f) =>
      decodePacket(f)
        .layers.map((l) => (l.type === 'icmp' ? `icmp${String(l.icmpType)}/${String(l.code)}` : l.type))
        .join('/'),
    );
    const seenAtB = atB.raw.filter(ipv4From(A_MAC)).length;
    return { answers, seenAtB, pid: process.pid };
  });
}

test.serial('on a real topology a quiet host answers nothing, its capture sees everything, nothing is left', async (t) => {
  if (!existsSync(NFT)) {
    t.log(`skipped: ${NFT} is not installed (make setup installs nftables)`);
    t.pass();
    return;
  }
  const loud = await answersOf(false);
  t.log(`without the rule, b answered: ${loud.answers.join('; ')}`);
  t.is(loud.seenAtB, 3);
  // Without the rule: an RST for the SYN, a port unreachable for UDP, and for SCTP an
  // ABORT or (no SCTP module) a protocol unreachable.
  t.is(loud.answers.length, 3, loud.answers.join('; '));
  t.true(loud.answers.some((x) => x.includes('/tcp')));
  t.true(loud.answers.includes('eth/ipv4/icmp3/3/ipv4/udp/payload'));
  t.true(
    loud.answers.some((x) => x.startsWith('eth/ipv4/sctp') || x.startsWith('eth/ipv4/icmp3/2/')),
    loud.answers.join('; '),
  );

  const quiet = await answersOf(true);
  t.is(quiet.seenAtB, 3, 'the capture on the quiet host sees every probe');
  t.deepEqual(quiet.answers, []);
  t.deepEqual(namespacesOf(process.pid), [], 'the namespaces (and their rules) are gone');
  const rootTables = execFileSync(NFT, ['list', 'tables'], { encoding: 'utf8' });
  t.false(rootTables.includes('fastpath_quiet'), 'nothing was installed in the root namespace');
});
