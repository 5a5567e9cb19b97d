// The ssh helpers of bench wire --dut: URLs, quoting for the remote shell, the option
// order ssh needs (first value wins), and ssh's own failures told apart.
import test from 'ava';
import { parseSshUrl, shellQuote, sshArgv, sshFailure, sshUrl } from '../../src/bench/ssh.js';

test('ssh URLs: user, host (name, IPv4, [IPv6]) and port; printed back the same', (t) => {
  t.deepEqual(parseSshUrl('ssh://root@10.9.9.1:2222'), { user: 'root', host: '10.9.9.1', port: 2222 });
  t.deepEqual(parseSshUrl('ssh://dut.lab'), { host: 'dut.lab' });
  t.deepEqual(parseSshUrl('ssh://me@[fd00::1]'), { user: 'me', host: 'fd00::1' });
  for (const url of ['ssh://root@10.9.9.1:2222', 'ssh://dut.lab', 'ssh://me@[fd00::1]:22']) t.is(sshUrl(parseSshUrl(url)), url);
  for (const bad of ['root@dut', 'ssh://', 'ssh://a b', 'ssh://dut:0', 'ssh://dut/x']) t.throws(() => parseSshUrl(bad));
});

test('shell quoting survives quotes and spaces', (t) => {
  t.is(shellQuote('/usr/bin/fastpath'), '/usr/bin/fastpath');
  t.is(shellQuote("it's a file"), `'it'\\''s a file'`);
  t.is(shellQuote('$(reboot)'), `'$(reboot)'`);
});

test('BatchMode first, then the user options, then the defaults they may override', (t) => {
  const argv = sshArgv({ target: { user: 'root', host: 'dut', port: 2200 }, options: ['ConnectTimeout=3', 'BatchMode=no'] }, 'true');
  t.deepEqual(argv, [
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=3',
    '-o',
    'BatchMode=no',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-p',
    '2200',
    '--',
    'root@dut',
    'true',
  ]);
});

test("exit 255 is ssh itself: refused key and unreachable host in words; other exits are the command's", (t) => {
  const s = { target: { user: 'root', host: 'dut' }, options: [] };
  t.regex(
    sshFailure({ status: 255, stdout: '', stderr: 'root@dut: Permission denied (publickey).\n' }, s)!,
    /^ssh:\/\/root@dut: authentication failed .*Permission denied/,
  );
  t.regex(
    sshFailure({ status: 255, stdout: '', stderr: 'ssh: connect to host dut port 22: No route to host\n' }, s)!,
    /^ssh:\/\/root@dut: host unreachable: ssh: connect/,
  );
  t.is(sshFailure({ status: 2, stdout: '', stderr: 'config problem' }, s), undefined);
});
