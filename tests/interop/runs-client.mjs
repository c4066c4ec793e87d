// A second-language client of the RunsService contract, given only the protos and signed tokens.
// Walks the acceptance path: create a workspace, register a tenant, ensure a run twice (same run back,
// created=false the second time), move it to completed, list it; a non-member gets NOT_FOUND for that run id.
// It also computes the run identity hash from docs/contract.md and checks the server computed the same.
//
// Environment: RUNS_GRPC_ADDRESS (host:port), PROTO_ROOT, GOOGLE_API_PROTOS (dir holding google/api/*.proto),
// TOKEN_ADMIN, TOKEN_OWNER, TOKEN_SERVICE, TOKEN_OUTSIDER. Exit code 0 and a final "OK" line on success.
import { createHash, randomUUID } from 'node:crypto';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

const definition = protoLoader.loadSync(
  ['tenantatlas/runs/v1/runs.proto', 'tenantatlas/access/v1/access.proto'],
  { includeDirs: [env('PROTO_ROOT'), env('GOOGLE_API_PROTOS')], keepCase: true, longs: String, enums: String, defaults: true },
);
const loaded = grpc.loadPackageDefinition(definition);
const address = env('RUNS_GRPC_ADDRESS');

function client(Service, token) {
  const instance = new Service(address, grpc.credentials.createInsecure());
  const call = (method) => (request) => new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    instance[method](request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
  });
  return new Proxy({}, { get: (_, method) => call(method) });
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

// docs/contract.md, "Run identity".
function identityHash({ workspaceId, tenantId, type, policy, clickId, inputs }) {
  const utf8 = (s) => Buffer.from(s, 'utf8');
  const entries = Object.entries(inputs).sort(([a], [b]) => Buffer.compare(utf8(a), utf8(b)));
  let text = 'tenantatlas.run-identity.v1\n'
    + `workspace:${workspaceId}\ntenant:${tenantId ?? ''}\ntype:${type}\npolicy:${policy}\nclick:${clickId ?? ''}\n`
    + `inputs:${entries.length}\n`;
  for (const [key, value] of entries) {
    text += `${utf8(key).length}:${key}=${utf8(value).length}:${value}\n`;
  }
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const admin = client(loaded.tenantatlas.access.v1.AccessService, env('TOKEN_ADMIN'));
const ownerAccess = client(loaded.tenantatlas.access.v1.AccessService, env('TOKEN_OWNER'));
const owner = client(loaded.tenantatlas.runs.v1.RunsService, env('TOKEN_OWNER'));
const worker = client(loaded.tenantatlas.runs.v1.RunsService, env('TOKEN_SERVICE'));
const outsider = client(loaded.tenantatlas.runs.v1.RunsService, env('TOKEN_OUTSIDER'));

const { workspace } = await admin.CreateWorkspace({ name: 'Interop', owner_subject: 'interop-owner', owner_display_name: 'Interop Owner' });
check(workspace.workspace_id.length === 36, `created workspace ${workspace.workspace_id}`);

const { tenant } = await ownerAccess.RegisterTenant({ workspace_id: workspace.workspace_id, entra_tenant_id: randomUUID(), display_name: 'Interop tenant' });
check(tenant.workspace_id === workspace.workspace_id, `registered tenant ${tenant.tenant_id}`);

const ensure = {
  workspace_id: workspace.workspace_id,
  tenant_id: tenant.tenant_id,
  type: 'inventory.sync',
  identity_inputs: { scope: 'all', policy_types: 'deviceConfiguration,compliance' },
  context: { fields: { requested_by: { stringValue: 'node' } } },
};
const first = await owner.EnsureRun(ensure);
const second = await owner.EnsureRun(ensure);
check(first.created === true, `first EnsureRun created run ${first.run.run_id}`);
check(second.created === false && second.run.run_id === first.run.run_id, 'second EnsureRun returned the same run, created=false');

const expectedHash = identityHash({
  workspaceId: workspace.workspace_id, tenantId: tenant.tenant_id, type: 'inventory.sync', policy: 'while_active', inputs: ensure.identity_inputs,
});
check(first.run.run_identity_hash === expectedHash, `identity hash computed in JavaScript matches the server (${expectedHash})`);

await worker.UpdateRun({ run_id: first.run.run_id, status: 'RUN_STATUS_RUNNING', set_counts: { total: 3 } });
const { run: completed } = await worker.UpdateRun({
  run_id: first.run.run_id, status: 'RUN_STATUS_COMPLETED', increment_counts: { processed: 3, succeeded: 3 },
});
check(completed.status === 'RUN_STATUS_COMPLETED' && completed.outcome === 'RUN_OUTCOME_SUCCEEDED', 'run moved to completed/succeeded');

const listed = await owner.ListRuns({ workspace_id: workspace.workspace_id });
check(listed.runs.length === 1 && listed.runs[0].run_id === first.run.run_id, 'ListRuns lists the run');

try {
  await outsider.GetRun({ run_id: first.run.run_id });
  check(false, 'non-member must not read the run');
} catch (error) {
  check(error.code === grpc.status.NOT_FOUND, `non-member gets NOT_FOUND (${error.details})`);
}

console.log('OK');
process.exit(0);
