/**
 * Sessions only where a form needs a token (issue 17, point 5), and the CSRF token only from the body or
 * a header, never the query string (point 10).
 */
import { expect } from 'chai';
import request from 'supertest';
import { createUser, csrfToken, signIn, startTestApp, type TestApp } from '../helpers/app.js';
import { rowCount } from '../helpers/records.js';

describe('sessions for anonymous visitors', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await createUser(t);
  });
  afterEach(async () => t.close());

  it('stores no session for 50 cookieless GETs of /help/contact', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await request(t.app).get('/help/contact');
      expect(res.status).to.equal(200);
      expect(res.headers['set-cookie'], 'no cookie either').to.equal(undefined);
    }
    expect(await rowCount(t, 'sessions')).to.equal(0);
  });

  it('stores none for the other pages without a form, nor for a forged POST', async () => {
    for (const path of ['/help/quickbooks/disconnect', '/privacy/quickbooks', '/healthz', '/no/such/page']) {
      expect((await request(t.app).get(path)).headers['set-cookie'], path).to.equal(undefined);
    }
    const forged = await request(t.app).post('/admin/login').type('form').send({ _csrf: 'forged' });
    expect(forged.status).to.equal(403);
    expect(await rowCount(t, 'sessions')).to.equal(0);
  });

  it('stores one for the sign-in page, whose form needs a token', async () => {
    const res = await request(t.app).get('/admin/login');
    expect(res.text).to.match(/name="_csrf" value="[^"]+"/);
    expect(res.headers['set-cookie']).to.have.length(1);
    expect(await rowCount(t, 'sessions')).to.equal(1);
  });
});

describe('CSRF token sources', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await createUser(t);
  });
  afterEach(async () => t.close());

  it('refuses a valid token sent in ?_csrf= (query strings end up in logs and Referer)', async () => {
    const agent = request.agent(t.app);
    const token = await csrfToken(agent);
    const res = await agent
      .post(`/admin/login?_csrf=${encodeURIComponent(token)}`)
      .type('form')
      .send({ email: 'admin@example.com', password: 'correct horse battery staple' });
    expect(res.status).to.equal(403);
  });

  it('accepts the token in the body, the x-csrf-token header or the csrf-token header', async () => {
    for (const via of ['body', 'x-csrf-token', 'csrf-token']) {
      const agent = await signIn(t);
      const token = await csrfToken(agent, '/admin');
      const post = agent.post('/admin/logout').type('form');
      const res = via === 'body' ? await post.send({ _csrf: token }) : await post.set(via, token).send({});
      expect(res.status, via).to.equal(303);
      expect((await agent.get('/admin')).status, `${via}: signed out`).to.equal(303);
    }
  });
});
