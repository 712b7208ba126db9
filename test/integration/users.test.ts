import { expect } from 'chai';
import request from 'supertest';
import { AuditRepository } from '../../src/audit/audit-repository.js';
import {
  createUser,
  csrfFrom,
  csrfToken,
  signIn,
  startTestApp,
  TEST_SECRETS,
  type TestApp,
} from '../helpers/app.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const PASSWORD = 'correct horse battery staple';

function linkIn(html: string, kind: 'invitations' | 'password-resets'): string {
  const match = new RegExp(`value="(http://[^"]+/${kind}/[A-Za-z0-9_-]+)"`).exec(html);
  if (!match) throw new Error(`no ${kind} link on the page`);
  return match[1];
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

async function post(agent: request.Agent, page: string, path: string, fields: Record<string, string>) {
  const _csrf = await csrfToken(agent, page);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf });
}

async function linkCount(t: TestApp): Promise<number> {
  const [{ n }] = await t.container.db('one_time_links').count<{ n: number | string }[]>({ n: '*' });
  return Number(n);
}

async function auditActions(t: TestApp): Promise<string[]> {
  return (await new AuditRepository(t.container.db).list()).map((e) => e.action);
}

async function canSignIn(t: TestApp, email: string, password: string): Promise<boolean> {
  const agent = request.agent(t.app);
  const _csrf = await csrfToken(agent);
  const res = await agent.post('/admin/login').type('form').send({ email, password, _csrf });
  return res.status === 303;
}

describe('users page', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    await createUser(t);
  });
  afterEach(async () => t.close());

  describe('GET /admin/users', () => {
    it('lists the people for an admin, refuses staff (403) and sends visitors to sign in', async () => {
      await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const admin = await signIn(t);
      const page = await admin.get('/admin/users');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('crew@example.com').and.to.contain('Invite someone');
      const staff = await signIn(t, 'crew@example.com');
      expect((await staff.get('/admin/users')).status).to.equal(403);
      const anonymous = await request(t.app).get('/admin/users');
      expect(anonymous.status).to.equal(303);
      expect(anonymous.headers.location).to.equal('/admin/login');
    });
  });

  describe('POST /admin/users/invitations', () => {
    it('without SMTP shows a one-time link that creates a staff account once, then signs in', async () => {
      const admin = await signIn(t);
      const res = await post(admin, '/admin/users', '/admin/users/invitations', {
        email: 'New.Hire@Example.com',
        role: 'staff',
      });
      expect(res.status).to.equal(201);
      expect(res.text).to.contain('Mail is not set up');
      const link = linkIn(res.text, 'invitations');
      expect(link.startsWith(t.config.appBaseUrl)).to.equal(true);

      const guest = request.agent(t.app);
      const form = await guest.get(pathOf(link));
      expect(form.status).to.equal(200);
      expect(form.text).to.contain('new.hire@example.com');
      const short = await guest
        .post(pathOf(link))
        .type('form')
        .send({ newPassword: 'short', _csrf: csrfFrom(form.text) });
      expect(short.status).to.equal(422);
      expect(await t.container.users.findByEmail('new.hire@example.com')).to.equal(undefined);

      const ok = await guest
        .post(pathOf(link))
        .type('form')
        .send({ newPassword: 'a brand new password', _csrf: csrfFrom(form.text) });
      expect(ok.status).to.equal(303);
      expect(ok.headers.location).to.equal('/admin/login');
      const user = await t.container.users.findByEmail('new.hire@example.com');
      expect(user?.role).to.equal('staff');
      expect(await canSignIn(t, 'new.hire@example.com', 'a brand new password')).to.equal(true);

      expect((await request(t.app).get(pathOf(link))).status).to.equal(410);
      const again = request.agent(t.app);
      const _csrf = await csrfToken(again);
      const replay = await again
        .post(pathOf(link))
        .type('form')
        .send({ newPassword: 'another long password', _csrf });
      expect(replay.status).to.equal(410);
      expect(await auditActions(t)).to.include.members(['user.invited', 'user.invitation_accepted']);
    });

    it('stores only a hash of the link and refuses it once expired', async () => {
      const admin = await signIn(t);
      const res = await post(admin, '/admin/users', '/admin/users/invitations', {
        email: 'late@example.com',
        role: 'admin',
      });
      const token = pathOf(linkIn(res.text, 'invitations')).split('/').pop()!;
      const rows = await t.container.db('one_time_links').select('*');
      expect(rows).to.have.length(1);
      expect(JSON.stringify(rows)).to.not.contain(token);
      await t.container.db('one_time_links').update({ expires_at: '2000-01-01T00:00:00.000Z' });
      expect((await request(t.app).get(`/invitations/${token}`)).status).to.equal(410);
    });

    it('keeps the link out of the log when it is refused', async () => {
      const logs: string[] = [];
      const logged = await startTestApp({ logs });
      try {
        const admin = await createUser(logged);
        const { url } = await logged.container.people.invite(admin, {
          email: 'crew@example.com',
          role: 'staff',
        });
        const token = pathOf(url).split('/').pop()!;
        await logged.container.db('one_time_links').update({ expires_at: '2000-01-01T00:00:00.000Z' });
        expect((await request(logged.app).get(pathOf(url))).status).to.equal(410);
        expect(logs.join('\n')).to.contain('/invitations/[redacted]');
        expect(logs.join('\n')).to.not.contain(token);
      } finally {
        await logged.close();
      }
    });

    it('refuses a bad email, an existing user and a missing CSRF token, creating nothing', async () => {
      const admin = await signIn(t);
      const bad = await post(admin, '/admin/users', '/admin/users/invitations', {
        email: 'nope',
        role: 'staff',
      });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.contain('Enter a valid email address.');
      const taken = await post(admin, '/admin/users', '/admin/users/invitations', {
        email: 'ADMIN@example.com',
        role: 'staff',
      });
      expect(taken.status).to.equal(422);
      expect(taken.text).to.contain('already exists');
      const forged = await admin
        .post('/admin/users/invitations')
        .type('form')
        .send({ email: 'x@example.com', role: 'staff' });
      expect(forged.status).to.equal(403);
      expect(await linkCount(t)).to.equal(0);
    });
  });

  describe('POST /admin/users/invitations with SMTP_URL', () => {
    let smtp: TestSmtp;
    let mailed: TestApp;
    beforeEach(async () => {
      smtp = await startSmtp();
      mailed = await startTestApp({
        env: { SMTP_URL: smtp.url, NOTIFY_FROM: 'Heavy AV <office@example.com>' },
      });
      await createUser(mailed);
    });
    afterEach(async () => {
      await mailed.close();
      await smtp.close();
    });

    it('mails the link to the invitee through the SMTP server, without secrets', async () => {
      const admin = await signIn(mailed);
      const res = await post(admin, '/admin/users', '/admin/users/invitations', {
        email: 'crew@example.com',
        role: 'staff',
      });
      expect(res.status).to.equal(201);
      expect(res.text).to.contain('Mailed to crew@example.com');
      const link = linkIn(res.text, 'invitations');
      expect(smtp.mails).to.have.length(1);
      const [mail] = smtp.mails;
      expect(mail.to).to.deep.equal(['crew@example.com']);
      expect(mail.from).to.equal('office@example.com');
      expect(mail.subject).to.equal('You are invited to Heavy AV');
      expect(mail.text).to.contain(link);
      expect(mail.text).to.contain('admin@example.com invited you');
      for (const secret of [smtp.password, TEST_SECRETS.SESSION_SECRET, PASSWORD, 'scrypt$']) {
        expect(mail.raw).to.not.contain(secret);
      }
      // The mailed link works.
      const guest = request.agent(mailed.app);
      expect((await guest.get(pathOf(link))).status).to.equal(200);
    });

    it('still shows the link when the SMTP server refuses the login', async () => {
      await mailed.close();
      mailed = await startTestApp({ env: { SMTP_URL: smtp.url.replace(smtp.password, 'wrong') } });
      await createUser(mailed);
      const admin = await signIn(mailed);
      const res = await post(admin, '/admin/users', '/admin/users/invitations', {
        email: 'crew@example.com',
        role: 'staff',
      });
      expect(res.status).to.equal(201);
      expect(res.text).to.contain('The mail server refused the message.');
      linkIn(res.text, 'invitations');
      expect(smtp.mails).to.have.length(0);
    });
  });

  describe('POST /admin/users/:id', () => {
    it('changes a role, which takes effect in the user’s open session at once', async () => {
      const crew = await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const staff = await signIn(t, 'crew@example.com');
      expect((await staff.get('/admin/users')).status).to.equal(403);
      const admin = await signIn(t);
      const res = await post(admin, '/admin/users', `/admin/users/${crew.id}`, { role: 'admin' });
      expect(res.status).to.equal(303);
      expect((await staff.get('/admin/users')).status).to.equal(200);
      expect(await auditActions(t)).to.include('user.role_changed');
    });

    it('deactivates: the open session ends at once and sign-in is refused; reactivating allows it again', async () => {
      const crew = await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const staff = await signIn(t, 'crew@example.com');
      expect((await staff.get('/admin/customers')).status).to.equal(200);
      const admin = await signIn(t);
      const res = await post(admin, '/admin/users', `/admin/users/${crew.id}`, { active: 'false' });
      expect(res.status).to.equal(303);
      const after = await staff.get('/admin/customers');
      expect(after.status).to.equal(303);
      expect(after.headers.location).to.equal('/admin/login');
      expect(await canSignIn(t, 'crew@example.com', PASSWORD)).to.equal(false);

      await post(admin, '/admin/users', `/admin/users/${crew.id}`, { active: 'true' });
      expect((await staff.get('/admin/customers')).status, 'the old session stays ended').to.equal(303);
      expect(await canSignIn(t, 'crew@example.com', PASSWORD)).to.equal(true);
      expect(await auditActions(t)).to.include.members(['user.deactivated', 'user.reactivated']);
    });

    it('refuses to demote or deactivate the last active admin', async () => {
      const me = (await t.container.users.findByEmail('admin@example.com'))!;
      const admin = await signIn(t);
      const demote = await post(admin, '/admin/users', `/admin/users/${me.id}`, { role: 'staff' });
      expect(demote.status).to.equal(422);
      expect(demote.text).to.contain('last active admin');
      const deactivate = await post(admin, '/admin/users', `/admin/users/${me.id}`, { active: 'false' });
      expect(deactivate.status).to.equal(422);
      const still = await t.container.users.findById(me.id);
      expect(still?.role).to.equal('admin');
      expect(still?.active).to.equal(true);

      // With a second active admin, the first may step down.
      await createUser(t, 'second@example.com', PASSWORD, 'admin');
      const ok = await post(admin, '/admin/users', `/admin/users/${me.id}`, { role: 'staff' });
      expect(ok.status).to.equal(303);
      expect((await t.container.users.findById(me.id))?.role).to.equal('staff');
    });

    it('refuses an unknown role with 422 and changes nothing', async () => {
      const crew = await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const admin = await signIn(t);
      const res = await post(admin, '/admin/users', `/admin/users/${crew.id}`, { role: 'owner' });
      expect(res.status).to.equal(422);
      expect((await t.container.users.findById(crew.id))?.role).to.equal('staff');
    });
  });

  describe('POST /admin/account/password', () => {
    it('needs the current password; changes it and ends the user’s other sessions', async () => {
      await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const laptop = await signIn(t, 'crew@example.com');
      const phone = await signIn(t, 'crew@example.com');
      const page = '/admin/account/password';
      const wrong = await post(laptop, page, page, {
        currentPassword: 'not my password',
        newPassword: 'a brand new password',
      });
      expect(wrong.status).to.equal(422);
      expect(wrong.text).to.contain('not your current password');
      const short = await post(laptop, page, page, { currentPassword: PASSWORD, newPassword: 'short' });
      expect(short.status).to.equal(422);
      const ok = await post(laptop, page, page, {
        currentPassword: PASSWORD,
        newPassword: 'a brand new password',
      });
      expect(ok.status).to.equal(303);
      expect((await laptop.get('/admin/customers')).status, 'this session continues').to.equal(200);
      expect((await phone.get('/admin/customers')).status, 'other sessions end').to.equal(303);
      expect(await canSignIn(t, 'crew@example.com', PASSWORD)).to.equal(false);
      expect(await canSignIn(t, 'crew@example.com', 'a brand new password')).to.equal(true);
      expect(await auditActions(t)).to.include('user.password_changed');
    });

    it('locks out after 5 wrong current passwords, even the right one then (429)', async () => {
      const agent = await signIn(t);
      const page = '/admin/account/password';
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await post(agent, page, page, {
          currentPassword: `wrong guess ${i}`,
          newPassword: 'a brand new password',
        });
        statuses.push(res.status);
      }
      expect(statuses).to.deep.equal([422, 422, 422, 422, 429]);
      const right = await post(agent, page, page, {
        currentPassword: PASSWORD,
        newPassword: 'a brand new password',
      });
      expect(right.status).to.equal(429);
      expect(await canSignIn(t, 'admin@example.com', 'a brand new password')).to.equal(false);
    });

    it('refuses a post without a CSRF token', async () => {
      const agent = await signIn(t);
      const res = await agent
        .post('/admin/account/password')
        .type('form')
        .send({ currentPassword: PASSWORD, newPassword: 'a brand new password' });
      expect(res.status).to.equal(403);
    });
  });

  describe('POST /admin/users/:id/password-resets', () => {
    it('issues a one-time link that sets a new password and ends the user’s sessions', async () => {
      const crew = await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const staff = await signIn(t, 'crew@example.com');
      const admin = await signIn(t);
      const res = await post(admin, '/admin/users', `/admin/users/${crew.id}/password-resets`, {});
      expect(res.status).to.equal(201);
      const link = linkIn(res.text, 'password-resets');

      const guest = request.agent(t.app);
      const form = await guest.get(pathOf(link));
      expect(form.status).to.equal(200);
      expect(form.text).to.contain('crew@example.com');
      const done = await guest
        .post(pathOf(link))
        .type('form')
        .send({ newPassword: 'reset to this one', _csrf: csrfFrom(form.text) });
      expect(done.status).to.equal(303);
      expect((await staff.get('/admin/customers')).status).to.equal(303);
      expect(await canSignIn(t, 'crew@example.com', 'reset to this one')).to.equal(true);
      expect(await canSignIn(t, 'crew@example.com', PASSWORD)).to.equal(false);
      expect((await request(t.app).get(pathOf(link))).status).to.equal(410);
      expect(await auditActions(t)).to.include.members(['user.password_reset_issued', 'user.password_reset']);
    });

    it('is for admins only', async () => {
      const crew = await createUser(t, 'crew@example.com', PASSWORD, 'staff');
      const staff = await signIn(t, 'crew@example.com');
      const _csrf = await csrfToken(staff, '/admin/customers');
      const res = await staff.post(`/admin/users/${crew.id}/password-resets`).type('form').send({ _csrf });
      expect(res.status).to.equal(403);
      expect(await linkCount(t)).to.equal(0);
    });
  });
});
