// Starts a real server of ours (the Python package) on a free port of 127.0.0.1 for one test
// file, and stops it afterwards. The Python comes from $CHROMA_PYTHON, else the repository's
// .venv. Extra environment (auth settings, say) can be passed per server.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const START_LIMIT_MS = 60_000;
const STOP_LIMIT_MS = 5_000;

function pythonPath() {
  const python = process.env.CHROMA_PYTHON || join(REPO, ".venv", "bin", "python");
  if (process.env.CHROMA_PYTHON === undefined && !existsSync(python)) {
    throw new Error(`No Python at ${python}: run 'make venv' or set CHROMA_PYTHON`);
  }
  return python;
}

/** A port nobody listens on right now: bind port 0, read the port, release it. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForHeartbeat(url, child, output) {
  const deadline = Date.now() + START_LIMIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/api/v2/heartbeat`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(150);
  }
  throw new Error(`The server did not answer within ${START_LIMIT_MS} ms:\n${output()}`);
}

/**
 * Start a server; resolves to `{url, stop}`. `stop()` ends the process (TERM, then KILL after
 * a bounded wait) and removes its data folder.
 */
export async function startServer({ env = {} } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "chroma-js-test-"));
  const args = ["-m", "chromadb.cli", "run", "--path", dataDir, "--host", "127.0.0.1", "--port", String(port)];
  const child = spawn(pythonPath(), args, {
    cwd: REPO,
    env: { ...process.env, ALLOW_RESET: "TRUE", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk) => {
    log = (log + chunk).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_LIMIT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  try {
    await waitForHeartbeat(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, log: () => log };
}
