#!/usr/bin/env node
// A scripted MCP session with the official TypeScript SDK client, for the Aegis interop tests.
//
//   node session.mjs PLAN.json
//
// The plan says how to connect, what the client declares and answers, and which steps to run:
//
//   { "transport": { "stdio": { "command": "java", "args": [...], "env": {...} } }
//                  | { "url": "http://.../mcp", "headers": { "Authorization": "Bearer ..." } },
//     "clientName": "interop", "timeoutMs": 60000,
//     "capabilities": { "sampling": true, "elicitation": true, "roots": true },
//     "answers": { "samplingText": "...", "elicitation": { "action": "accept", "content": {...} },
//                  "roots": [ { "uri": "file:///...", "name": "..." } ] },
//     "steps": [ { "op": "listAll", "label": "lists" }, { "op": "callTool", "name": "x__echo", ... }, ... ] }
//
// Every step runs even when an earlier one failed; each reports { label, op, ok, result | error, ms }. Prints exactly
// one JSON line on stdout: { ok, serverInfo, serverCapabilities, protocolVersion, steps, notifications,
// serverRequests, errors }. Everything else goes to stderr. Exit code 0 when the session ran to the end (steps may
// still have failed: the caller asserts), 2 for a bad plan, 3 when the plan's time ran out.
import { readFileSync, writeFileSync, readdirSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  ProgressNotificationSchema,
  ResultSchema,
} from "@modelcontextprotocol/sdk/types.js";

const planFile = process.argv[2];
if (!planFile) {
  console.error("usage: node session.mjs PLAN.json");
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const started = Date.now();
const report = {
  ok: false,
  serverInfo: null,
  serverCapabilities: null,
  protocolVersion: null,
  steps: [],
  notifications: [],
  serverRequests: [],
  errors: [],
};
let printed = false;
function finish(code) {
  if (!printed) {
    printed = true;
    process.stdout.write(JSON.stringify(report) + "\n");
  }
  process.exit(code);
}
const deadline = setTimeout(() => {
  report.errors.push(`the plan did not finish within ${plan.timeoutMs ?? 60000} ms`);
  finish(3);
}, plan.timeoutMs ?? 60000);

const elapsed = () => Date.now() - started;
const answers = plan.answers ?? {};
let roots = answers.roots ?? [];

// ------------------------------------------------------------------------------------------ the client

const caps = plan.capabilities ?? {};
const capabilities = {};
if (caps.sampling) capabilities.sampling = {};
if (caps.elicitation) capabilities.elicitation = { form: {} };
if (caps.roots) capabilities.roots = { listChanged: true };
const client = new Client({ name: plan.clientName ?? "aegis-interop", version: "1.0.0" }, { capabilities });

// notifications: every one is recorded, in arrival order; waiters are woken
const waiters = new Set();
function recordNotification(n) {
  report.notifications.push({ method: n.method, params: n.params ?? null, at: elapsed() });
  for (const w of [...waiters]) w();
}
client.fallbackNotificationHandler = async (n) => recordNotification(n);
// progress is handled by the SDK only for its own numeric tokens; the plan uses explicit ones, so record them raw
client.setNotificationHandler(ProgressNotificationSchema, (n) => recordNotification(n));

function recordRequest(method, params) {
  report.serverRequests.push({ method, params: params ?? null, at: elapsed() });
}
if (caps.sampling) {
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
    recordRequest(req.method, req.params);
    return {
      model: "aegis-interop-canned-model",
      role: "assistant",
      content: { type: "text", text: answers.samplingText ?? "canned sampling answer" },
      stopReason: "endTurn",
    };
  });
}
if (caps.elicitation) {
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    recordRequest(req.method, req.params);
    return answers.elicitation ?? { action: "decline" };
  });
}
if (caps.roots) {
  client.setRequestHandler(ListRootsRequestSchema, async (req) => {
    recordRequest(req.method, req.params);
    return { roots };
  });
}
client.onerror = (e) => report.errors.push(`client: ${e?.message ?? String(e)}`);

// ------------------------------------------------------------------------------------------ steps

function errorOf(e) {
  return { code: e?.code ?? null, message: e?.message ?? String(e), data: e?.data ?? null };
}

async function listEverything(method, field, key) {
  const names = [];
  let cursor;
  let pages = 0;
  const seen = new Set();
  do {
    const result = await client.request({ method, params: cursor ? { cursor } : {} }, ResultSchema);
    pages++;
    for (const item of result[field] ?? []) names.push(item[key]);
    cursor = result.nextCursor;
    if (cursor !== undefined && seen.has(cursor)) throw new Error(`${method} repeated cursor ${cursor}`);
    if (cursor !== undefined) seen.add(cursor);
  } while (cursor !== undefined && pages < 100);
  return { names, pages };
}

function matches(n, method, match, contains) {
  if (n.method !== method) return false;
  if (contains !== undefined && !JSON.stringify(n.params ?? {}).includes(contains)) return false;
  for (const [k, v] of Object.entries(match ?? {})) {
    if (JSON.stringify(n.params?.[k]) !== JSON.stringify(v)) return false;
  }
  return true;
}

function waitFor(method, match, contains, timeoutMs) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = report.notifications.find((n) => matches(n, method, match, contains));
      if (found) {
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no ${method} ${JSON.stringify(match ?? {})} ${contains ?? ""} within ${timeoutMs} ms`));
    }, timeoutMs);
    if (!check()) waiters.add(check);
  });
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const textOf = (result) => (result?.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

function callParams(step) {
  const params = { name: step.name, arguments: step.arguments ?? {} };
  if (step.progressToken !== undefined) params._meta = { progressToken: step.progressToken };
  return params;
}

const ops = {
  async listAll() {
    const out = {};
    out.tools = await listEverything("tools/list", "tools", "name");
    out.prompts = await listEverything("prompts/list", "prompts", "name");
    out.resources = await listEverything("resources/list", "resources", "uri");
    out.resourceTemplates = await listEverything("resources/templates/list", "resourceTemplates", "uriTemplate");
    return out;
  },
  async callTool(step) {
    // raw request: the SDK's callTool would also validate structured output against a cached schema
    return client.request({ method: "tools/call", params: callParams(step) }, ResultSchema,
      { timeout: step.timeoutMs ?? 20000 });
  },
  // calls a tool until its text contains step.contains (the server applies some changes asynchronously)
  async callUntil(step) {
    const until = Date.now() + (step.timeoutMs ?? 10000);
    let last;
    for (;;) {
      last = await client.request({ method: "tools/call", params: callParams(step) }, ResultSchema);
      if (textOf(last).includes(step.contains)) return last;
      if (Date.now() > until) throw new Error(`${step.name} never returned '${step.contains}'; last: ${textOf(last)}`);
      await pause(step.intervalMs ?? 100);
    }
  },
  async readResource(step) {
    return client.readResource({ uri: step.uri });
  },
  async getPrompt(step) {
    return client.getPrompt({ name: step.name, arguments: step.arguments ?? {} });
  },
  async complete(step) {
    const params = { ref: step.ref, argument: step.argument };
    if (step.context) params.context = step.context;
    return client.complete(params);
  },
  async subscribe(step) {
    return client.subscribeResource({ uri: step.uri });
  },
  async unsubscribe(step) {
    return client.unsubscribeResource({ uri: step.uri });
  },
  async setLevel(step) {
    return client.setLoggingLevel(step.level);
  },
  async ping() {
    return client.ping();
  },
  async request(step) {
    return client.request({ method: step.method, params: step.params ?? {} }, ResultSchema);
  },
  async waitFor(step) {
    return waitFor(step.method, step.match, step.contains, step.timeoutMs ?? 10000);
  },
  async setRoots(step) {
    roots = step.roots;
    await client.sendRootsListChanged();
    return { roots };
  },
  // a rendezvous between concurrent sessions: each writes its name into dir and waits until `parties` names are there
  async barrier(step) {
    mkdirSync(step.dir, { recursive: true });
    writeFileSync(join(step.dir, step.name), String(process.pid));
    const until = Date.now() + (step.timeoutMs ?? 20000);
    for (;;) {
      const present = readdirSync(step.dir);
      if (present.length >= step.parties) return { present };
      if (Date.now() > until) throw new Error(`only ${present.join(", ")} reached barrier ${step.dir}`);
      await pause(25);
    }
  },
};

async function runStep(step) {
  const op = ops[step.op];
  const entry = { label: step.label ?? step.op, op: step.op, ok: false };
  const t0 = Date.now();
  if (!op) {
    entry.error = { code: null, message: `unknown op ${step.op}`, data: null };
  } else {
    try {
      entry.result = (await op(step)) ?? null;
      entry.ok = true;
    } catch (e) {
      entry.error = errorOf(e);
    }
  }
  entry.ms = Date.now() - t0;
  report.steps.push(entry);
  console.error(`[session] ${entry.label}: ${entry.ok ? "ok" : "FAILED " + entry.error.message} (${entry.ms} ms)`);
}

// ------------------------------------------------------------------------------------------ run

let transport;
if (plan.transport?.stdio) {
  const s = plan.transport.stdio;
  transport = new StdioClientTransport({
    command: s.command,
    args: s.args ?? [],
    env: { ...process.env, ...(s.env ?? {}) },
    cwd: s.cwd,
    stderr: "inherit",
  });
} else if (plan.transport?.url) {
  // headers (an Authorization: Bearer key, say) go with every request
  transport = new StreamableHTTPClientTransport(new URL(plan.transport.url),
    { requestInit: { headers: plan.transport.headers ?? {} } });
} else {
  console.error("the plan needs transport.stdio or transport.url");
  process.exit(2);
}

try {
  await client.connect(transport, { timeout: plan.connectTimeoutMs ?? 30000 });
  report.serverInfo = client.getServerVersion() ?? null;
  report.serverCapabilities = client.getServerCapabilities() ?? null;
  report.protocolVersion = transport.protocolVersion ?? null;
  report.sessionId = transport.sessionId ?? null;
  for (const step of plan.steps ?? []) {
    await runStep(step);
  }
  report.ok = true;
} catch (e) {
  report.errors.push(`connect: ${e?.message ?? String(e)}`);
}
try {
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
    await transport.terminateSession();
  }
  await client.close();
} catch (e) {
  report.errors.push(`close: ${e?.message ?? String(e)}`);
}
clearTimeout(deadline);
finish(0);
