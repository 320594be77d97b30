/**
 * @module openapi
 * The API's description (OpenAPI 3.1), served at /api/v1/openapi.json.
 */

const job = { $ref: '#/components/schemas/Job' }
const error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
const ok = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } })
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{8}-\\d{6}-[0-9a-f]{6}$' } }

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'MagickBox API',
    version: '1',
    description:
      'Everything the web interface shows and does. Authenticate with the session cookie (state-changing requests then need the x-csrf-token header) or with an API token: `Authorization: Bearer mbx_…` (create one with `magickbox user token <name>`). Admin-only operations answer 403 for viewers.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ token: [] }, { session: [] }],
  components: {
    securitySchemes: { token: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'mb_session' } },
    schemas: {
      Error: { type: 'object', properties: { error: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } } },
      Job: { type: 'object', description: 'job.json: see the README, "Jobs"', properties: { id: { type: 'string' }, state: { enum: ['queued', 'running', 'routing', 'done', 'failed', 'cancelled'] }, stream: { type: 'string' }, outcome: { enum: ['success', 'failed', 'partial'] } } },
    },
  },
  paths: {
    '/jobs': {
      get: {
        summary: 'List jobs, newest first',
        parameters: ['q', 'stream', 'state', 'outcome', 'day', 'before', 'limit'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
        responses: { 200: ok('a page of jobs and the cursor of the next', { type: 'object', properties: { jobs: { type: 'array', items: job }, next: { type: 'string' } } }) },
      },
    },
    '/jobs/{id}': { get: { summary: 'One job (job.json)', parameters: [id], responses: { 200: ok('the job', job), 404: error } }, delete: { summary: 'Delete a finished job (admin)', parameters: [id], responses: { 200: ok('deleted'), 409: error } } },
    '/jobs/{id}/log': { get: { summary: 'processing.log (text), from `offset`', parameters: [id, { name: 'offset', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'text/plain' } } } },
    '/jobs/{id}/deliveries/{delivery}': { get: { summary: 'Per-instance results of one delivery', parameters: [id, { name: 'delivery', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: ok('acknowledged and failed instances') } } },
    '/jobs/{id}/input.zip': { get: { summary: 'The study as received, zipped (streamed)', parameters: [id], responses: { 200: { description: 'application/zip' } } } },
    '/jobs/{id}/output.zip': { get: { summary: 'The stream\'s output, zipped (streamed)', parameters: [id], responses: { 200: { description: 'application/zip' } } } },
    '/jobs/{id}/rerun': { post: { summary: 'Run a finished job again (admin)', parameters: [id], responses: { 200: ok('queued'), 409: error } } },
    '/jobs/{id}/resend': { post: { summary: 'Resend what was not delivered, or everything with all=1 (admin)', parameters: [id, { name: 'all', in: 'query', schema: { enum: ['1'] } }], responses: { 200: ok('routing'), 409: error } } },
    '/jobs/{id}/cancel': { post: { summary: 'Cancel a queued, running or routing job (admin)', parameters: [id], responses: { 200: ok('cancelled'), 409: error } } },
    '/streams': { get: { summary: 'Every stream folder: definition, why it takes no studies, run-time statistics', responses: { 200: ok('streams') } } },
    '/streams/{ae}/enabled': { put: { summary: 'Enable or disable a stream (admin)', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { enabled: { type: 'boolean' } } } } } }, responses: { 200: ok('changed'), 404: error } } },
    '/routing': { get: { summary: 'routing.json', responses: { 200: ok('routing.json'), 404: error } }, put: { summary: 'Check and save routing.json (admin)', responses: { 200: ok('saved'), 400: error } } },
    '/routing/test': { post: { summary: 'Which destinations a job would go to, and why', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { calledAE: { type: 'string' }, callingAE: { type: 'string' }, callerIP: { type: 'string' }, outcome: { type: 'string' }, routing: { type: 'string', description: 'test this text instead of the saved file' } } } } } }, responses: { 200: ok('decisions, problems and the trace') } } },
    '/routing/echo': { post: { summary: 'C-ECHO a destination (admin)', responses: { 200: ok('result'), 400: error } } },
    '/routing/log': { get: { summary: 'The last lines of the routing log (text)', parameters: [{ name: 'lines', in: 'query', schema: { type: 'integer' } }], responses: { 200: ok('text') } } },
    '/settings': { get: { summary: 'settings.json', responses: { 200: ok('settings') } }, put: { summary: 'Check and replace settings.json (admin); the supervisor reloads it', responses: { 200: ok('saved'), 400: error } } },
    '/system': { get: { summary: 'Supervisor status (units, health, alerts, queues) and health history', responses: { 200: ok('status') } } },
    '/system/units/{name}/restart': { post: { summary: 'Restart a unit (admin)', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: ok('restarted'), 404: error } } },
    '/studies': { get: { summary: 'Received studies, most recent first', parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }, { name: 'offset', in: 'query', schema: { type: 'integer' } }], responses: { 200: ok('studies') } } },
    '/studies/{uid}': { delete: { summary: 'Delete every job of a study (admin); active jobs are kept and listed', parameters: [{ name: 'uid', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: ok('deleted'), 400: error, 404: error, 409: error } } },
    '/heatmap': { get: { summary: 'Jobs per day since `since`', parameters: [{ name: 'since', in: 'query', schema: { type: 'string', format: 'date' } }], responses: { 200: ok('day → count') } } },
  },
} as const
