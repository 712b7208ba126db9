/**
 * One truth about the connection across instances (issue 16, decision 010): two real server processes on
 * one database (SQLite file, or PostgreSQL with DATABASE_URL=postgres://…) and one Intuit. A disconnect
 * made through one stops the other (nothing reaches Intuit from either once it has answered), and a
 * reconnect made through one resumes the other: it pushes, pulls and shows Connected.
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import request from 'supertest';
import { signatureOf } from '../../src/quickbooks/pull/signature.js';
import { csrfFrom } from '../helpers/app.js';
import { connect, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { freePort, serving, startServer } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';
import { cloudEvent, VERIFIER } from '../helpers/webhooks.js';

const REVOKE_PATH = '/v2/oauth2/tokens/revoke';

async function signInAt(base: string): Promise<request.Agent> {
  const agent = request.agent(base);
  const login = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({
      email: 'admin@example.com',
      password: 'correct horse battery staple',
      _csrf: csrfFrom(login.text),
    });
  expect(res.status, 'signed in').to.equal(303);
  return agent;
}

async function post(agent: request.Agent, path: string): Promise<request.Response> {
  const card = await agent.get('/admin/settings/quickbooks');
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: csrfFrom(card.text) });
}

const isApi = (e: { path: string }) => e.path.startsWith('/v3/company/');

describe('the connection is one truth across server processes', function () {
  this.timeout(120_000);
  let w: World | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await w?.close();
    w = undefined;
  });

  async function server(world: World): Promise<{ child: ChildProcess; agent: request.Agent }> {
    const port = await freePort();
    const child = startServer(world, port, { APP_BASE_URL: 'http://localhost:3000' });
    children.push(child);
    await serving(port);
    return { child, agent: await signInAt(`http://127.0.0.1:${port}`) };
  }

  it('disconnect on B → nothing more from A; reconnect on A → B pushes, pulls and shows Connected', async () => {
    w = await startWorld();
    const world = w;
    const a = await server(world);
    const b = await server(world);

    const connected = await connect(world, { agent: a.agent });
    expect(connected.status).to.equal(303);
    expect(
      (await b.agent.get('/admin/settings/quickbooks')).text,
      'B shows the connect made on A',
    ).to.contain('Connected');

    // Both instances busy pushing (slow Intuit) when B disconnects.
    await world.control('POST', '/config', { latencyMs: 200 });
    for (let i = 0; i < 40; i++) await makeCustomer(world.t, `Busy Customer ${i + 1}`);
    const pushing = (e: { path: string }) => isApi(e) && !/companyinfo|preferences/.test(e.path);
    await until(async () => (await world.ledger()).some(pushing), 20_000, 'pushes under way');
    const disconnected = await post(b.agent, '/admin/settings/quickbooks/disconnect');
    expect(disconnected.status).to.equal(303);
    const answeredAt = Date.now();
    await world.control('POST', '/config', { latencyMs: 0 });
    // More work queued after the disconnect, on the instance that did not disconnect: none of it may leave.
    await makeCustomer(world.t, 'After Disconnect');
    await new Promise((r) => setTimeout(r, 2500));
    const ledger = await world.ledger();
    const revoke = ledger.find((e) => e.path === REVOKE_PATH);
    expect(revoke, 'revoked at Intuit').to.not.equal(undefined);
    const revokedAt = Date.parse(revoke!.time);
    const late = ledger.filter(
      (e) => isApi(e) && (Date.parse(e.time) > revokedAt || Date.parse(e.time) > answeredAt),
    );
    expect(late, 'API calls after the revoke or after the disconnect answered').to.deep.equal([]);

    // Reconnect through A; B follows within the documented bound.
    expect((await connect(world, { agent: a.agent })).status).to.equal(303);
    const cardB = await b.agent.get('/admin/settings/quickbooks');
    expect(cardB.text).to.contain('Connected');
    // Only B from here on: what happens next is B's own work.
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));

    await makeCustomer(world.t, 'Pushed By B');
    await until(
      async () => {
        const qbo: { DisplayName: string }[] = await world.control(
          'GET',
          `/companies/${REALM_A}/entities/Customer`,
        );
        return qbo.some((c) => c.DisplayName === 'Pushed By B');
      },
      20_000,
      'B to push the new customer',
    );

    const made = await world.control('POST', `/companies/${REALM_A}/entities/Customer`, {
      DisplayName: 'Pulled By B',
    });
    const body = JSON.stringify([cloudEvent(REALM_A, 'Customer', made.Id, 'created')]);
    const delivered = await b.agent
      .post('/webhooks/quickbooks')
      .set('Content-Type', 'application/cloudevents+json')
      .set('intuit-signature', signatureOf(body, VERIFIER))
      .send(body);
    expect(delivered.status).to.equal(200);
    await until(
      async () => world.t.container.db('customers').where({ display_name: 'Pulled By B' }).first(),
      20_000,
      'B to pull the customer made in QuickBooks',
    );
  });
});
