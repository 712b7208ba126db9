import { expect } from 'chai';
import request from 'supertest';
import { csrfToken, startTestApp, type TestApp } from '../helpers/app.js';

describe('first run: /admin/setup', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  it('sends /admin/login to /admin/setup while no user exists', async () => {
    const res = await request(t.app).get('/admin/login');
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/admin/setup');
  });

  it('refuses a wrong setup code and creates nobody', async () => {
    const agent = request.agent(t.app);
    const _csrf = await csrfToken(agent, '/admin/setup');
    const res = await agent.post('/admin/setup').type('form').send({
      setupCode: 'AAAA-BBBB-CCCC',
      email: 'boss@example.com',
      password: 'a long enough password',
      _csrf,
    });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('setup code is not right');
    expect(await t.container.users.count()).to.equal(0);
  });

  it('creates the first admin with the code, signs them in, and is gone afterwards (404)', async () => {
    const code = t.container.setupCode.value!;
    expect(code).to.match(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const agent = request.agent(t.app);
    const _csrf = await csrfToken(agent, '/admin/setup');
    const res = await agent.post('/admin/setup').type('form').send({
      setupCode: code.toLowerCase(),
      email: 'Boss@Example.com',
      password: 'a long enough password',
      _csrf,
    });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/admin');
    expect((await agent.get('/admin')).text).to.contain('boss@example.com');
    const user = await t.container.users.findByEmail('boss@example.com');
    expect(user?.role).to.equal('admin');

    const again = request.agent(t.app);
    expect((await again.get('/admin/setup')).status).to.equal(404);
    const token = await csrfToken(again, '/admin/login');
    const replay = await again.post('/admin/setup').type('form').send({
      setupCode: code,
      email: 'intruder@example.com',
      password: 'another long password',
      _csrf: token,
    });
    expect(replay.status).to.equal(404);
    expect(await t.container.users.count()).to.equal(1);
  });

  it('creates exactly one admin when 6 requests bring the code at once', async () => {
    const code = t.container.setupCode.value!;
    const agents = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const agent = request.agent(t.app);
        return { agent, _csrf: await csrfToken(agent, '/admin/setup') };
      }),
    );
    const answers = await Promise.all(
      agents.map(({ agent, _csrf }, i) =>
        agent
          .post('/admin/setup')
          .type('form')
          .send({
            setupCode: code,
            email: `boss${i}@example.com`,
            password: 'a long enough password',
            _csrf,
          }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).to.deep.equal([303, 404, 404, 404, 404, 404]);
    expect(await t.container.users.count()).to.equal(1);
  });

  it('re-renders with a message per field when the password is too short', async () => {
    const agent = request.agent(t.app);
    const _csrf = await csrfToken(agent, '/admin/setup');
    const res = await agent
      .post('/admin/setup')
      .type('form')
      .send({ setupCode: t.container.setupCode.value, email: 'boss@example.com', password: 'short', _csrf });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('at least 12 characters');
    expect(res.text).to.contain('value="boss@example.com"');
    expect(await t.container.users.count()).to.equal(0);
  });
});

describe('GET /healthz', () => {
  it('answers 200 when the database answers, 503 when it does not', async () => {
    const t = await startTestApp();
    try {
      const ok = await request(t.app).get('/healthz');
      expect(ok.status).to.equal(200);
      expect(ok.body).to.deep.equal({ status: 'ok', database: 'ok' });
      await t.container.db.destroy();
      const down = await request(t.app).get('/healthz');
      expect(down.status).to.equal(503);
    } finally {
      await t.database.drop();
    }
  });
});
