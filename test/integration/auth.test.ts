import { expect } from 'chai';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/http/session.js';
import { createUser, csrfFrom, csrfToken, signIn, startTestApp, type TestApp } from '../helpers/app.js';

function sessionId(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return cookie?.split(';')[0].split('=')[1];
}

describe('sign-in', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  describe('POST /admin/login', () => {
    it('signs in with the right password and redirects 303 to /admin', async () => {
      await createUser(t);
      const agent = request.agent(t.app);
      const _csrf = await csrfToken(agent);
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'correct horse battery staple', _csrf });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/admin');
      const home = await agent.get('/admin');
      expect(home.status).to.equal(200);
      expect(home.text).to.contain('Dashboard');
    });

    it('refuses a wrong password with a plain message and no session user', async () => {
      await createUser(t);
      const agent = request.agent(t.app);
      const _csrf = await csrfToken(agent);
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'wrong password here', _csrf });
      expect(res.status).to.equal(401);
      expect(res.text).to.contain('do not match');
      const home = await agent.get('/admin');
      expect(home.status).to.equal(303);
      expect(home.headers.location).to.equal('/admin/login');
    });

    it('gives a new session id at sign-in (no session fixation)', async () => {
      await createUser(t);
      const agent = request.agent(t.app);
      const page = await agent.get('/admin/login');
      const before = sessionId(page);
      expect(before, 'a session exists before sign-in (for CSRF)').to.be.a('string');
      const _csrf = csrfFrom(page.text);
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'correct horse battery staple', _csrf });
      const after = sessionId(res);
      expect(after).to.be.a('string');
      expect(after).to.not.equal(before);
    });

    it('locks the account after 5 failures: the 6th attempt fails even with the right password', async () => {
      await createUser(t);
      const agent = request.agent(t.app);
      for (let i = 1; i <= 5; i++) {
        const _csrf = await csrfToken(agent);
        const res = await agent
          .post('/admin/login')
          .type('form')
          .send({ email: 'admin@example.com', password: `wrong-${i}-xxxxxxxx`, _csrf });
        expect(res.status).to.equal(i < 5 ? 401 : 429);
      }
      const _csrf = await csrfToken(agent);
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'correct horse battery staple', _csrf });
      expect(res.status).to.equal(429);
      expect(res.text).to.contain('Too many failed sign-in attempts. Wait a minute');
    });

    it('lets the right password in again once the wait has passed, and starts the count afresh', async () => {
      await createUser(t);
      const agent = request.agent(t.app);
      for (let i = 1; i <= 5; i++) {
        const _csrf = await csrfToken(agent);
        await agent
          .post('/admin/login')
          .type('form')
          .send({ email: 'admin@example.com', password: `wrong-${i}-xxxxxxxx`, _csrf });
      }
      await t.container
        .db('login_attempts')
        .update({ blocked_until: new Date(Date.now() - 1000).toISOString() });
      const signedIn = await signIn(t);
      expect((await signedIn.get('/admin')).status).to.equal(200);
      const left = await t.container.db('login_attempts').where('key', 'like', 'pair:%');
      expect(left, 'the account budgets start again after a good password').to.have.length(0);
    });
  });

  describe('CSRF', () => {
    it('rejects a POST without _csrf with 403 and changes nothing', async () => {
      await createUser(t);
      const res = await request(t.app)
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'correct horse battery staple' });
      expect(res.status).to.equal(403);
      expect(res.text).to.contain('did not come from this site');
      expect(res.text).to.not.match(/at .*\.ts:\d+/);
    });

    it('rejects sign-out with a forged token and keeps the session', async () => {
      await createUser(t);
      const agent = await signIn(t);
      const res = await agent.post('/admin/logout').type('form').send({ _csrf: 'forged' });
      expect(res.status).to.equal(403);
      expect((await agent.get('/admin')).status).to.equal(200);
    });

    it('rejects a token from another session', async () => {
      await createUser(t);
      const other = request.agent(t.app);
      const foreign = await csrfToken(other);
      const agent = request.agent(t.app);
      await agent.get('/admin/login');
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'correct horse battery staple', _csrf: foreign });
      expect(res.status).to.equal(403);
    });
  });

  describe('POST /admin/logout', () => {
    it('ends the session', async () => {
      await createUser(t);
      const agent = await signIn(t);
      const _csrf = await csrfToken(agent, '/admin');
      const res = await agent.post('/admin/logout').type('form').send({ _csrf });
      expect(res.status).to.equal(303);
      expect((await agent.get('/admin')).status).to.equal(303);
    });
  });

  describe('roles', () => {
    it('redirects anonymous visitors of /admin pages to /admin/login', async () => {
      await createUser(t);
      for (const path of ['/admin', '/admin/settings/quickbooks', '/admin/customers']) {
        const res = await request(t.app).get(path);
        expect(res.status, path).to.equal(303);
        expect(res.headers.location).to.equal('/admin/login');
      }
    });

    it('gives staff a 403 page on the QuickBooks settings and hides them in the navigation', async () => {
      await createUser(t, 'staff@example.com', 'staff password 1234', 'staff');
      const agent = await signIn(t, 'staff@example.com', 'staff password 1234');
      const home = await agent.get('/admin');
      expect(home.status).to.equal(200);
      expect(home.text).to.not.contain('href="/admin/settings/quickbooks"');
      const res = await agent.get('/admin/settings/quickbooks');
      expect(res.status).to.equal(403);
      expect(res.text).to.contain('Only admins');
    });

    it('returns to the page first asked for after sign-in', async () => {
      await createUser(t);
      const agent = request.agent(t.app);
      await agent.get('/admin/customers');
      const _csrf = await csrfToken(agent);
      const res = await agent
        .post('/admin/login')
        .type('form')
        .send({ email: 'admin@example.com', password: 'correct horse battery staple', _csrf });
      expect(res.headers.location).to.equal('/admin/customers');
    });
  });

  describe('sessions', () => {
    it('survive a restart of the app (they live in the database)', async () => {
      await createUser(t);
      const agent = await signIn(t);
      const cookie = (agent as any).jar.getCookie(SESSION_COOKIE, { domain: '127.0.0.1', path: '/' });
      await t.container.close();
      const second = await startTestApp({ database: t.database });
      try {
        const res = await request(second.app)
          .get('/admin')
          .set('Cookie', `${SESSION_COOKIE}=${cookie.value}`);
        expect(res.status).to.equal(200);
        expect(res.text).to.contain('admin@example.com');
      } finally {
        await second.close();
        t = await startTestApp();
      }
    });

    it('sets the cookie HttpOnly and SameSite=Lax, and Secure when APP_BASE_URL is https', async () => {
      // /admin/setup: with no user yet, the page with a form (and so a session) on a fresh app.
      const res = await request(t.app).get('/admin/setup');
      const cookie = ([] as string[]).concat(res.headers['set-cookie'])[0];
      expect(cookie)
        .to.match(/HttpOnly/i)
        .and.match(/SameSite=Lax/i)
        .and.not.match(/Secure/i);
      const secure = await startTestApp({
        env: { APP_BASE_URL: 'https://heavy.example.com', TRUST_PROXY: '1' },
      });
      try {
        const r = await request(secure.app).get('/admin/setup').set('X-Forwarded-Proto', 'https');
        expect(([] as string[]).concat(r.headers['set-cookie'])[0]).to.match(/Secure/);
      } finally {
        await secure.close();
      }
    });
  });

  describe('security headers', () => {
    it('sends a CSP without unsafe-inline scripts and no-store on admin pages', async () => {
      const res = await request(t.app).get('/admin/login');
      const csp = res.headers['content-security-policy'];
      expect(csp).to.match(/script-src 'self'/);
      expect(csp).to.not.contain('unsafe-inline');
      expect(res.headers['cache-control']).to.equal('no-store');
    });

    it('answers unknown pages with a 404 page', async () => {
      const res = await request(t.app).get('/no/such/page');
      expect(res.status).to.equal(404);
      expect(res.text).to.contain('Page not found');
    });
  });
});
