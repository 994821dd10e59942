// Child process of apply.test.ts: recreates N policies with a journal and prints the steps
// settled after each batch, so that the test can SIGKILL it in the middle.
// argv: dist/index.js path, netns path, journal path, target family, N
const [dist, netns, journal, family, n] = process.argv.slice(2);
const { CtTimeout } = await import(dist);
const ct = await CtTimeout.open({ netns });
const wanted = Array.from({ length: Number(n) }, (_, i) => ({ name: `k${i}`, family, protocol: 'tcp', timeouts: { CLOSE: 5 } }));
await ct.apply(wanted, { journal, onProgress: (settled) => process.stdout.write(`${settled}\n`) });
await ct.close();
