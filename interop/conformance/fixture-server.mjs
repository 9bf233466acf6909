#!/usr/bin/env node
// Aegis conformance fixture: an MCP server, written with the official TypeScript
// SDK (@modelcontextprotocol/sdk, low-level Server class), that provides every
// tool, resource, prompt and behaviour the server scenarios of
// @modelcontextprotocol/conformance expect (2025-11-25 wire).
//
// It also serves the tools/prompts of the 2026-07-28 scenarios (server-stateless,
// input-required-result-*), implemented the STATEFUL way: they send classic server->client
// requests (elicitation/create, sampling/createMessage, roots/list) and list_changed
// notifications. SDK 1.32.2 cannot speak 2026-07-28 itself; a gateway in front of the fixture
// (Aegis) translates those requests into input_required results for stateless clients.
//
// Usage:
//   node fixture-server.mjs --stdio         one session over stdin/stdout (how Aegis spawns it)
//   node fixture-server.mjs --http PORT     Streamable HTTP on http://127.0.0.1:PORT/mcp,
//                                           stateful sessions; PORT 0 = pick a free port.
//                                           Prints "LISTENING http://127.0.0.1:<port>/mcp" on stdout.
//
// Diagnostics go to stderr only (stdout is the protocol channel in --stdio mode).

import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

const SERVER_INFO = { name: 'aegis-conformance-fixture', version: '1.0.0' };

// 1x1 PNG and a tiny WAV header, base64.
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const WAV_TINY = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

const log = (...a) => process.stderr.write(`[fixture] ${a.join(' ')}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = (t) => ({ type: 'text', text: t });
const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

// ---------------------------------------------------------------- tools

// JSON Schema 2020-12 keywords that must survive tools/list untouched (SEP-1613, SEP-2106).
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

const DYNAMIC_TOOL = 'test_dynamic_tool';
const DYNAMIC_PROMPT = 'test_dynamic_prompt';

const objectSchema = (props, required = Object.keys(props)) => ({ type: 'object', properties: props, required });
const NAME_SCHEMA = objectSchema({ name: { type: 'string' } });
const CONFIRM_SCHEMA = objectSchema({ ok: { type: 'boolean' } });
const COLOR_SCHEMA = objectSchema({ color: { type: 'string' } });
const CONTEXT_SCHEMA = objectSchema({ context: { type: 'string' } });
const COMMENT_SCHEMA = objectSchema({ comment: { type: 'string' } });

const ELICIT_BASIC_SCHEMA = {
  type: 'object',
  properties: {
    username: { type: 'string', description: "User's response" },
    email: { type: 'string', description: "User's email address" },
  },
  required: ['username', 'email'],
};

const ELICIT_DEFAULTS_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'User name', default: 'John Doe' },
    age: { type: 'integer', description: 'User age', default: 30 },
    score: { type: 'number', description: 'User score', default: 95.5 },
    status: {
      type: 'string',
      description: 'User status',
      enum: ['active', 'inactive', 'pending'],
      default: 'active',
    },
    verified: { type: 'boolean', description: 'Verification status', default: true },
  },
  required: [],
};

const ELICIT_ENUMS_SCHEMA = {
  type: 'object',
  properties: {
    untitledSingle: {
      type: 'string',
      description: 'Untitled single-select',
      enum: ['option1', 'option2', 'option3'],
    },
    titledSingle: {
      type: 'string',
      description: 'Titled single-select',
      oneOf: [
        { const: 'value1', title: 'First Option' },
        { const: 'value2', title: 'Second Option' },
        { const: 'value3', title: 'Third Option' },
      ],
    },
    legacyEnum: {
      type: 'string',
      description: 'Legacy titled single-select (enumNames)',
      enum: ['opt1', 'opt2', 'opt3'],
      enumNames: ['Option One', 'Option Two', 'Option Three'],
    },
    untitledMulti: {
      type: 'array',
      description: 'Untitled multi-select',
      minItems: 1,
      maxItems: 3,
      items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    },
    titledMulti: {
      type: 'array',
      description: 'Titled multi-select',
      minItems: 1,
      maxItems: 3,
      items: {
        anyOf: [
          { const: 'value1', title: 'First Choice' },
          { const: 'value2', title: 'Second Choice' },
          { const: 'value3', title: 'Third Choice' },
        ],
      },
    },
  },
  required: [],
};

/** Tool table: name -> { description, inputSchema, run(args, extra, ctx) }. Order is stable. */
const TOOLS = {
  test_simple_text: {
    description: 'Returns a simple text content block',
    run: async () => ({ content: [text('This is a simple text response for testing.')] }),
  },
  test_image_content: {
    description: 'Returns an image content block (1x1 PNG)',
    run: async () => ({ content: [{ type: 'image', data: PNG_1X1, mimeType: 'image/png' }] }),
  },
  test_audio_content: {
    description: 'Returns an audio content block (tiny WAV)',
    run: async () => ({ content: [{ type: 'audio', data: WAV_TINY, mimeType: 'audio/wav' }] }),
  },
  test_embedded_resource: {
    description: 'Returns an embedded resource content block',
    run: async () => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  },
  test_multiple_content_types: {
    description: 'Returns text, image and embedded resource content blocks',
    run: async () => ({
      content: [
        text('Multiple content types test:'),
        { type: 'image', data: PNG_1X1, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  },
  test_tool_with_logging: {
    description: 'Emits three info log notifications while running',
    run: async (_args, extra, ctx) => {
      for (const [i, msg] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
        if (i > 0) await sleep(50);
        await ctx.log(extra, 'info', msg);
      }
      return { content: [text('Tool with logging executed successfully')] };
    },
  },
  test_tool_with_progress: {
    description: 'Reports progress 0, 50, 100 of 100 when a progressToken is given',
    run: async (_args, extra) => {
      const token = extra._meta?.progressToken;
      for (const [i, progress] of [0, 50, 100].entries()) {
        if (i > 0) await sleep(50);
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress, total: 100, message: `Completed ${progress} of 100` },
          });
        }
      }
      return { content: [text(`Progress tool completed (token: ${token === undefined ? 'none' : String(token)})`)] };
    },
  },
  test_error_handling: {
    description: 'Always fails with a tool execution error (isError: true)',
    run: async () => ({
      isError: true,
      content: [text('This tool intentionally returns an error for testing')],
    }),
  },
  test_reconnection: {
    description:
      'Closes the SSE stream of this call mid-flight (SEP-1699) and delivers the result after the client resumes with Last-Event-ID',
    run: async (_args, extra) => {
      if (typeof extra.closeSSEStream === 'function') extra.closeSSEStream();
      await sleep(200);
      return {
        content: [text('Reconnection test completed successfully: the result was delivered after the stream was closed.')],
      };
    },
  },
  test_sampling: {
    description: 'Asks the client for an LLM completion (sampling/createMessage)',
    inputSchema: {
      type: 'object',
      properties: { prompt: { type: 'string', description: 'The prompt to send to the LLM' } },
      required: ['prompt'],
    },
    run: async (args, extra, ctx) => {
      ctx.requireClientCapability('sampling');
      const result = await extra.sendRequest(
        {
          method: 'sampling/createMessage',
          params: {
            messages: [{ role: 'user', content: text(String(args.prompt ?? '')) }],
            maxTokens: 100,
          },
        },
        CreateMessageResultSchema,
      );
      const c = Array.isArray(result.content) ? result.content.find((b) => b.type === 'text') : result.content;
      return { content: [text(`LLM response: ${c?.type === 'text' ? c.text : JSON.stringify(result.content)}`)] };
    },
  },
  test_elicitation: {
    description: 'Asks the client for user input (elicitation/create, form mode)',
    inputSchema: {
      type: 'object',
      properties: { message: { type: 'string', description: 'The message to show the user' } },
      required: ['message'],
    },
    run: async (args, extra, ctx) => ctx.elicit(extra, String(args.message ?? ''), ELICIT_BASIC_SCHEMA, 'User response'),
  },
  test_elicitation_sep1034_defaults: {
    description: 'Elicitation whose schema has defaults for every primitive type (SEP-1034)',
    run: async (_args, extra, ctx) =>
      ctx.elicit(extra, 'Please review and update the form fields with defaults', ELICIT_DEFAULTS_SCHEMA, 'Elicitation completed'),
  },
  test_elicitation_sep1330_enums: {
    description: 'Elicitation whose schema has all five enum variants (SEP-1330)',
    run: async (_args, extra, ctx) =>
      ctx.elicit(extra, 'Please select options from the enum fields', ELICIT_ENUMS_SCHEMA, 'Elicitation completed'),
  },
  json_schema_2020_12_tool: {
    description: 'Tool whose inputSchema uses JSON Schema 2020-12 keywords (SEP-1613, SEP-2106)',
    inputSchema: JSON_SCHEMA_2020_12,
    run: async (args) => ({ content: [text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`)] }),
  },

  // ---- 2026-07-28 server-stateless (SEP-2575) diagnostic tools, stateful implementations.
  test_missing_capability: {
    description: 'Needs the client sampling capability: asks for an LLM completion (sampling/createMessage)',
    run: async (_args, extra, ctx) => {
      const answer = await ctx.sample(extra, 'Reply with one word: ready?', 20);
      return { content: [text(`Sampling answered: ${answer}`)] };
    },
  },
  test_streaming_elicitation: {
    description: 'Asks the client for input (elicitation/create) in the middle of the call',
    run: async (_args, extra, ctx) => {
      const r = await ctx.elicitRaw(extra, 'What is your name?', NAME_SCHEMA);
      return { content: [text(`Streaming elicitation: action=${r.action}, name=${r.content?.name ?? ''}`)] };
    },
  },
  test_logging_tool: {
    description: 'Emits notifications/message log lines (honours logging/setLevel), then returns',
    run: async (_args, extra, ctx) => {
      for (const [i, msg] of ['Logging tool started', 'Logging tool working', 'Logging tool finished'].entries()) {
        if (i > 0) await sleep(20);
        await ctx.log(extra, 'info', msg);
      }
      return { content: [text('Logging tool executed')] };
    },
  },
  test_trigger_tool_change: {
    description: `Adds or removes the tool '${DYNAMIC_TOOL}' and sends notifications/tools/list_changed`,
    run: async (_args, _extra, ctx) => {
      const present = await ctx.toggleDynamicTool();
      return { content: [text(`Tool '${DYNAMIC_TOOL}' ${present ? 'added' : 'removed'}; tools/list_changed sent`)] };
    },
  },
  test_trigger_prompt_change: {
    description: `Adds or removes the prompt '${DYNAMIC_PROMPT}' and sends notifications/prompts/list_changed`,
    run: async (_args, _extra, ctx) => {
      const present = await ctx.toggleDynamicPrompt();
      return { content: [text(`Prompt '${DYNAMIC_PROMPT}' ${present ? 'added' : 'removed'}; prompts/list_changed sent`)] };
    },
  },

  // ---- 2026-07-28 input-required-result-* (SEP-2322), stateful implementations: each input the
  // scenario expects in inputRequests is a classic server->client request here.
  test_input_required_result_elicitation: {
    description: 'Asks the user for their name (elicitation/create) and greets them',
    run: async (_args, extra, ctx) => {
      const r = await ctx.elicitRaw(extra, 'What is your name?', NAME_SCHEMA);
      if (r.action !== 'accept') return { content: [text(`Elicitation ${r.action}`)] };
      return { content: [text(`Hello, ${r.content?.name}!`)] };
    },
  },
  test_input_required_result_sampling: {
    description: 'Asks the client LLM a question (sampling/createMessage) and returns its answer',
    run: async (_args, extra, ctx) => {
      const answer = await ctx.sample(extra, 'What is the capital of France?', 100);
      return { content: [text(`Sampling response: ${answer}`)] };
    },
  },
  test_input_required_result_list_roots: {
    description: "Asks the client for its roots (roots/list) and lists them",
    run: async (_args, extra, ctx) => {
      const roots = await ctx.roots(extra);
      return { content: [text(`Client roots: ${roots.map((r) => r.uri).join(', ') || '(none)'}`)] };
    },
  },
  test_input_required_result_request_state: {
    description: 'Asks for a confirmation (elicitation/create); the answer resumes the same call (state-ok)',
    run: async (_args, extra, ctx) => {
      const r = await ctx.elicitRaw(extra, 'Please confirm', CONFIRM_SCHEMA);
      return { content: [text(`state-ok: action=${r.action}, ok=${r.content?.ok}`)] };
    },
  },
  test_input_required_result_multiple_inputs: {
    description: 'Asks for a name, a sampled greeting and the roots at once (concurrent requests)',
    run: async (_args, extra, ctx) => {
      const [who, greeting, roots] = await Promise.all([
        ctx.elicitRaw(extra, 'What is your name?', NAME_SCHEMA),
        ctx.sample(extra, 'Generate a greeting', 50),
        ctx.roots(extra),
      ]);
      return {
        content: [
          text(`${greeting} name=${who.content?.name ?? `(${who.action})`}, roots=${roots.map((r) => r.uri).join(', ')}`),
        ],
      };
    },
  },
  test_input_required_result_multi_round: {
    description: 'Asks two questions one after the other (two rounds of elicitation/create)',
    run: async (_args, extra, ctx) => {
      const step1 = await ctx.elicitRaw(extra, 'Step 1: What is your name?', NAME_SCHEMA);
      const step2 = await ctx.elicitRaw(extra, 'Step 2: What is your favorite color?', COLOR_SCHEMA);
      return {
        content: [text(`Hello, ${step1.content?.name}! Your favorite color is ${step2.content?.color}.`)],
      };
    },
  },
  test_input_required_result_tampered_state: {
    description: 'Asks for a confirmation (elicitation/create); state integrity is the transport\'s job',
    run: async (_args, extra, ctx) => {
      const r = await ctx.elicitRaw(extra, 'Please confirm', CONFIRM_SCHEMA);
      return { content: [text(`Confirmed: action=${r.action}, ok=${r.content?.ok}`)] };
    },
  },
  test_input_required_result_capabilities: {
    description:
      'Asks only for what the client declared (session capabilities): sampling if declared, elicitation if declared',
    run: async (_args, extra, ctx) => {
      const caps = ctx.clientCapabilities();
      const asks = [];
      if (caps.sampling) asks.push(['sampling', ctx.sample(extra, 'Summarize the capabilities check', 50)]);
      if (caps.elicitation) asks.push(['elicitation', ctx.elicitRaw(extra, 'Any comment?', COMMENT_SCHEMA)]);
      if (asks.length === 0) {
        return { isError: true, content: [text('The client declared neither sampling nor elicitation')] };
      }
      const settled = await Promise.allSettled(asks.map(([, p]) => p));
      const parts = settled.map((s, i) =>
        s.status === 'fulfilled'
          ? `${asks[i][0]}=${typeof s.value === 'string' ? s.value : s.value.action}`
          : `${asks[i][0]} failed (${s.reason?.message ?? s.reason})`,
      );
      return { content: [text(`Capabilities check: ${parts.join('; ')}`)] };
    },
  },
};

// Toggled by test_trigger_tool_change / test_trigger_prompt_change (per Server instance).
const DYNAMIC_TOOL_DEF = {
  description: 'Appears and disappears with test_trigger_tool_change',
  run: async () => ({ content: [text('Dynamic tool executed')] }),
};
const DYNAMIC_PROMPT_DEF = {
  description: 'Appears and disappears with test_trigger_prompt_change',
  arguments: [],
  get: () => [{ role: 'user', content: text('This is the dynamic prompt.') }],
};

// ---------------------------------------------------------------- resources

const STATIC_RESOURCES = {
  'test://static-text': {
    name: 'static-text',
    title: 'Static Text Resource',
    description: 'A static text resource',
    mimeType: 'text/plain',
    read: () => ({ text: 'This is the content of the static text resource.' }),
  },
  'test://static-binary': {
    name: 'static-binary',
    title: 'Static Binary Resource',
    description: 'A static binary resource (1x1 PNG)',
    mimeType: 'image/png',
    read: () => ({ blob: PNG_1X1 }),
  },
  'test://watched-resource': {
    name: 'watched-resource',
    title: 'Watched Resource',
    description: 'A resource clients can subscribe to',
    mimeType: 'text/plain',
    read: () => ({ text: 'Watched resource content' }),
  },
};

const TEMPLATE = {
  uriTemplate: 'test://template/{id}/data',
  name: 'template',
  title: 'Resource Template',
  description: 'A resource template with an {id} parameter',
  mimeType: 'application/json',
};
const TEMPLATE_RE = /^test:\/\/template\/([^/]+)\/data$/;

// ---------------------------------------------------------------- prompts

const PROMPTS = {
  test_simple_prompt: {
    description: 'A simple prompt without arguments',
    arguments: [],
    get: () => [{ role: 'user', content: text('This is a simple prompt for testing.') }],
  },
  test_prompt_with_arguments: {
    description: 'A prompt with two required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true },
      { name: 'arg2', description: 'Second test argument', required: true },
    ],
    get: (a) => [{ role: 'user', content: text(`Prompt with arguments: arg1='${a.arg1}', arg2='${a.arg2}'`) }],
  },
  test_prompt_with_embedded_resource: {
    description: 'A prompt that embeds a resource',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    get: (a) => [
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: { uri: a.resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
        },
      },
      { role: 'user', content: text('Please process the embedded resource above.') },
    ],
  },
  test_prompt_with_image: {
    description: 'A prompt that includes an image',
    arguments: [],
    get: () => [
      { role: 'user', content: { type: 'image', data: PNG_1X1, mimeType: 'image/png' } },
      { role: 'user', content: text('Please analyze the image above.') },
    ],
  },
  // 2026-07-28 input-required-result-non-tool-request (SEP-2322), stateful: prompts/get elicits.
  test_input_required_result_prompt: {
    description: 'A prompt that asks the user for context (elicitation/create) before it is built',
    arguments: [],
    get: async (_a, extra, ctx) => {
      const r = await ctx.elicitRaw(extra, 'What context should the prompt use?', CONTEXT_SCHEMA);
      return [{ role: 'user', content: text(`Prompt with context: ${r.content?.context ?? `(${r.action})`}`) }];
    },
  },
};

const COMPLETIONS = {
  'ref/prompt:test_prompt_with_arguments:arg1': ['paris', 'park', 'party', 'test', 'testing'],
  'ref/prompt:test_prompt_with_arguments:arg2': ['world', 'word', 'work'],
  'ref/resource:test://template/{id}/data:id': ['1', '2', '3', '123'],
};

// ---------------------------------------------------------------- server factory

/** One Server per session (HTTP) or per process (stdio). */
function createServer() {
  const server = new Server(SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    },
    instructions: 'Aegis conformance fixture server.',
  });
  const subscriptions = new Set();
  const dynamic = { tool: false, prompt: false };
  const tools = () => (dynamic.tool ? { ...TOOLS, [DYNAMIC_TOOL]: DYNAMIC_TOOL_DEF } : TOOLS);
  const prompts = () => (dynamic.prompt ? { ...PROMPTS, [DYNAMIC_PROMPT]: DYNAMIC_PROMPT_DEF } : PROMPTS);

  const ctx = {
    clientCapabilities: () => server.getClientCapabilities() ?? {},
    requireClientCapability(cap) {
      if (!server.getClientCapabilities()?.[cap]) {
        throw new McpError(ErrorCode.InvalidRequest, `Client does not support ${cap}`);
      }
    },
    /** elicitation/create (form mode) to the client; returns the ElicitResult. */
    async elicitRaw(extra, message, requestedSchema) {
      ctx.requireClientCapability('elicitation');
      return extra.sendRequest(
        { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } },
        ElicitResultSchema,
      );
    },
    /** sampling/createMessage to the client; returns the text of the answer. */
    async sample(extra, prompt, maxTokens) {
      ctx.requireClientCapability('sampling');
      const result = await extra.sendRequest(
        { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: text(prompt) }], maxTokens } },
        CreateMessageResultSchema,
      );
      const c = Array.isArray(result.content) ? result.content.find((b) => b.type === 'text') : result.content;
      return c?.type === 'text' ? c.text : JSON.stringify(result.content);
    },
    /** roots/list to the client; returns the roots. */
    async roots(extra) {
      ctx.requireClientCapability('roots');
      const result = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema);
      return result.roots;
    },
    async toggleDynamicTool() {
      dynamic.tool = !dynamic.tool;
      await server.sendToolListChanged();
      return dynamic.tool;
    },
    async toggleDynamicPrompt() {
      dynamic.prompt = !dynamic.prompt;
      await server.sendPromptListChanged();
      return dynamic.prompt;
    },
    async log(extra, level, data) {
      // Log notifications of a tool call travel with the call (same SSE stream); honour logging/setLevel.
      if (server.isMessageIgnored(level, extra.sessionId)) return;
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level, logger: 'fixture', data },
      });
    },
    async elicit(extra, message, requestedSchema, label) {
      ctx.requireClientCapability('elicitation');
      const r = await extra.sendRequest(
        { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } },
        ElicitResultSchema,
      );
      return { content: [text(`${label}: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)] };
    },
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: Object.entries(tools()).map(([name, t]) => ({
      name,
      description: t.description,
      inputSchema: t.inputSchema ?? EMPTY_OBJECT_SCHEMA,
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const tool = tools()[req.params.name];
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
    return tool.run(req.params.arguments ?? {}, extra, ctx);
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: Object.entries(STATIC_RESOURCES).map(([uri, r]) => ({
      uri,
      name: r.name,
      title: r.title,
      description: r.description,
      mimeType: r.mimeType,
    })),
  }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [TEMPLATE] }));

  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const uri = req.params.uri;
    const r = STATIC_RESOURCES[uri];
    if (r) return { contents: [{ uri, mimeType: r.mimeType, ...r.read() }] };
    const m = TEMPLATE_RE.exec(uri);
    if (m) {
      const id = decodeURIComponent(m[1]);
      return {
        contents: [
          {
            uri,
            mimeType: 'application/json',
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      };
    }
    // SEP-2164: unknown resource -> -32602 with the uri in error.data
    throw new McpError(ErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
  });

  server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    const uri = req.params.uri;
    subscriptions.add(uri);
    // Tell the subscriber once that the resource changed (exercises server->client notifications
    // outside of any request; delivered on the standalone GET stream over HTTP).
    setTimeout(() => {
      if (!subscriptions.has(uri)) return;
      server.sendResourceUpdated({ uri }).catch(() => {});
    }, 100).unref();
    return {};
  });

  server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    subscriptions.delete(req.params.uri);
    return {};
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: Object.entries(prompts()).map(([name, p]) => ({ name, description: p.description, arguments: p.arguments })),
  }));

  server.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
    const p = prompts()[req.params.name];
    if (!p) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${req.params.name}`);
    const args = req.params.arguments ?? {};
    const missing = p.arguments.filter((a) => a.required && args[a.name] === undefined).map((a) => a.name);
    if (missing.length) throw new McpError(ErrorCode.InvalidParams, `Missing required arguments: ${missing.join(', ')}`);
    return { description: p.description, messages: await p.get(args, extra, ctx) };
  });

  server.setRequestHandler(CompleteRequestSchema, async (req) => {
    const { ref, argument } = req.params;
    const key = `${ref.type}:${ref.type === 'ref/prompt' ? ref.name : ref.uri}:${argument.name}`;
    const values = (COMPLETIONS[key] ?? []).filter((v) => v.startsWith(argument.value ?? ''));
    return { completion: { values, total: values.length, hasMore: false } };
  });

  return server;
}

// ---------------------------------------------------------------- stdio mode

async function runStdio() {
  const server = createServer();
  const transport = new StdioServerTransport();
  transport.onclose = () => process.exit(0);
  process.stdin.on('end', () => process.exit(0));
  await server.connect(transport);
  log('stdio server ready');
}

// ---------------------------------------------------------------- HTTP mode

/** In-memory event store so POST SSE streams are resumable (SEP-1699 polling / Last-Event-ID). */
class MemoryEventStore {
  constructor() {
    this.events = []; // { id, streamId, message }
    this.seq = 0;
  }
  async storeEvent(streamId, message) {
    const id = `${streamId}_${String(++this.seq).padStart(10, '0')}`;
    this.events.push({ id, streamId, message });
    if (this.events.length > 10000) this.events.splice(0, this.events.length - 10000);
    return id;
  }
  async getStreamIdForEventId(eventId) {
    return this.events.find((e) => e.id === eventId)?.streamId;
  }
  async replayEventsAfter(lastEventId, { send }) {
    const idx = this.events.findIndex((e) => e.id === lastEventId);
    if (idx < 0) throw new Error(`Unknown event id ${lastEventId}`);
    const streamId = this.events[idx].streamId;
    for (const e of this.events.slice(idx + 1)) {
      if (e.streamId === streamId && e.message && Object.keys(e.message).length > 0) await send(e.id, e.message);
    }
    return streamId;
  }
}

function jsonRpcError(res, status, code, message) {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

async function runHttp(port) {
  // createMcpExpressApp on 127.0.0.1 rejects non-localhost Host headers (DNS rebinding protection).
  const app = createMcpExpressApp({ host: '127.0.0.1' });
  const sessions = new Map(); // sessionId -> { transport, server }

  // Reject cross-origin browser requests too (Origin must be a loopback origin when present).
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin) {
      let host;
      try {
        host = new URL(origin).hostname;
      } catch {
        return jsonRpcError(res, 403, -32000, `Invalid Origin: ${origin}`);
      }
      if (!['localhost', '127.0.0.1', '[::1]'].includes(host)) {
        return jsonRpcError(res, 403, -32000, `Origin not allowed: ${origin}`);
      }
    }
    next();
  });

  const isInitialize = (body) =>
    Array.isArray(body) ? body.some((m) => m?.method === 'initialize') : body?.method === 'initialize';

  app.post('/mcp', async (req, res) => {
    try {
      const sid = req.headers['mcp-session-id'];
      if (sid) {
        const s = sessions.get(sid);
        if (!s) return jsonRpcError(res, 404, -32001, 'Session not found');
        return await s.transport.handleRequest(req, res, req.body);
      }
      if (!isInitialize(req.body)) {
        return jsonRpcError(res, 400, -32000, 'Bad Request: missing Mcp-Session-Id header');
      }
      const server = createServer();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new MemoryEventStore(),
        retryInterval: 1000,
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, server });
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (e) {
      log('POST error:', e?.stack ?? e);
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
    }
  });

  const bySession = async (req, res) => {
    try {
      const sid = req.headers['mcp-session-id'];
      if (!sid) return jsonRpcError(res, 400, -32000, 'Bad Request: missing Mcp-Session-Id header');
      const s = sessions.get(sid);
      if (!s) return jsonRpcError(res, 404, -32001, 'Session not found');
      await s.transport.handleRequest(req, res);
    } catch (e) {
      log(`${req.method} error:`, e?.stack ?? e);
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
    }
  };
  app.get('/mcp', bySession);
  app.delete('/mcp', bySession);

  const httpServer = app.listen(port, '127.0.0.1', () => {
    const actual = httpServer.address().port;
    process.stdout.write(`LISTENING http://127.0.0.1:${actual}/mcp\n`);
    log(`HTTP server on http://127.0.0.1:${actual}/mcp`);
  });
  httpServer.on('error', (e) => {
    log('listen error:', e.message);
    process.exit(1);
  });

  const shutdown = async () => {
    for (const { transport } of sessions.values()) await transport.close().catch(() => {});
    httpServer.close();
    httpServer.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

// ---------------------------------------------------------------- main

const argv = process.argv.slice(2);
if (argv[0] === '--stdio') {
  await runStdio();
} else if (argv[0] === '--http' && /^\d+$/.test(argv[1] ?? '')) {
  await runHttp(Number(argv[1]));
} else {
  process.stderr.write('usage: fixture-server.mjs --stdio | --http PORT (0 = any free port)\n');
  process.exit(2);
}
