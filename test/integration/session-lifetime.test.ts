/**
 * Sessions (issue 17, point 11): an absolute lifetime besides the 8-hour renewal, and roles read from
 * the database on every request.
 */
import { expect } from 'chai';
import { SESSION_ABSOLUTE_LIFETIME_MS } from '../../src/auth/middleware.js';
import { createUser, signIn, startTestApp, type TestApp } from '../helpers/app.js';

describe('signed-in sessions', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  it('takes admin rights away from a demoted admin on their next request', async () => {
    const user = await createUser(t);
    const agent = await signIn(t);
    expect((await agent.get('/admin/settings/quickbooks')).status).to.equal(200);
    await t.container.db('users').where({ id: user.id }).update({ role: 'staff' });
    const res = await agent.get('/admin/settings/quickbooks');
    expect(res.status).to.equal(403);
    expect((await agent.get('/admin')).text).to.not.contain('href="/admin/settings/quickbooks"');
  });

  it('signs out a session whose account was deleted', async () => {
    const user = await createUser(t);
    const agent = await signIn(t);
    await t.container.db('users').where({ id: user.id }).delete();
    const res = await agent.get('/admin');
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/admin/login');
  });

  it(`ends a session ${SESSION_ABSOLUTE_LIFETIME_MS / 86_400_000} days after sign-in, however often it was used`, async () => {
    await createUser(t);
    const agent = await signIn(t);
    expect((await agent.get('/admin')).status).to.equal(200);
    // Move the sign-in back in time, as a week of daily use would.
    const rows = await t.container.db('sessions').select('sid', 'sess');
    const signedIn = rows.find((r) => JSON.stringify(r.sess).includes('admin@example.com'))!;
    const sess = typeof signedIn.sess === 'string' ? JSON.parse(signedIn.sess) : signedIn.sess;
    expect(sess.signedInAt).to.be.a('number');
    sess.signedInAt -= SESSION_ABSOLUTE_LIFETIME_MS + 60_000;
    await t.container
      .db('sessions')
      .where({ sid: signedIn.sid })
      .update({ sess: JSON.stringify(sess) });
    const res = await agent.get('/admin');
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/admin/login');
    expect(SESSION_ABSOLUTE_LIFETIME_MS).to.equal(7 * 24 * 60 * 60 * 1000);
  });
});
