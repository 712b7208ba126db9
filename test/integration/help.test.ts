import { expect } from 'chai';
import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/app.js';

const PAGES = {
  disconnect: '/help/quickbooks/disconnect',
  privacy: '/privacy/quickbooks',
  contact: '/help/contact',
} as const;

/** The hrefs of the page's <main> only, so the footer's links cannot make a missing in-page link pass. */
function mainLinks(html: string): string[] {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';
  return [...main.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
}

describe('help pages', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  describe('GET /help and GET /privacy', () => {
    it('are index pages that link every help page and the privacy pages (in the page, not only the footer)', async () => {
      const help = await request(t.app).get('/help');
      expect(help.status).to.equal(200);
      expect(mainLinks(help.text)).to.include.members([PAGES.disconnect, PAGES.contact, '/privacy']);
      const privacy = await request(t.app).get('/privacy');
      expect(privacy.status).to.equal(200);
      expect(mainLinks(privacy.text)).to.include.members([PAGES.privacy, PAGES.contact]);
      for (const link of [...mainLinks(help.text), ...mainLinks(privacy.text)].filter((l) =>
        l.startsWith('/'),
      )) {
        if (link.startsWith('/admin')) continue;
        expect((await request(t.app).get(link)).status, link).to.equal(200);
      }
    });
  });

  describe('GET /help/quickbooks/disconnect', () => {
    it('explains both ways to disconnect, what happens to the data, deletion and reconnecting, without sign-in', async () => {
      const res = await request(t.app).get(PAGES.disconnect);
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('Disconnect from Heavy AV');
      expect(res.text).to.contain('Disconnect from QuickBooks');
      expect(res.text).to.contain('My Apps');
      expect(res.text).to.contain('checks with Intuit');
      expect(res.text).to.contain('Nothing in QuickBooks is deleted');
      // Issue 18: one story after a disconnect: records are "not syncing" and their edits wait (never "read-only").
      expect(res.text).to.contain('<strong>not syncing</strong>');
      expect(res.text).to.contain('Changes you make while disconnected wait');
      expect(res.text).to.not.contain('read-only');
      expect(res.text).to.contain('deletion request');
      expect(res.text).to.contain('A different company');
      expect(res.text).to.contain('never reused');
    });

    it('links to the privacy and contact pages and to the QuickBooks settings', async () => {
      const links = mainLinks((await request(t.app).get(PAGES.disconnect)).text);
      expect(links).to.include.members([PAGES.privacy, PAGES.contact, '/admin/settings/quickbooks']);
    });
  });

  describe('GET /privacy/quickbooks', () => {
    it('says what is kept, why, for how long and how to have it deleted, without sign-in', async () => {
      const res = await request(t.app).get(PAGES.privacy);
      expect(res.status).to.equal(200);
      for (const text of [
        'What Heavy AV keeps',
        'realm id',
        'AES-256-GCM',
        'SyncToken',
        'transaction id',
        'audit log',
        'Why',
        'How long',
        'How to have it deleted',
        'never sells or shares',
        'never writes secrets',
      ]) {
        expect(res.text, text).to.contain(text);
      }
    });

    it('links to the disconnect and contact pages', async () => {
      const links = mainLinks((await request(t.app).get(PAGES.privacy)).text);
      expect(links).to.include.members([PAGES.disconnect, PAGES.contact]);
    });
  });

  describe('GET /help/contact', () => {
    it('says clearly that no contact is configured when none is, without sign-in', async () => {
      const res = await request(t.app).get(PAGES.contact);
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('No support contact has been configured for this installation.');
      expect(res.text).to.contain('SUPPORT_EMAIL, SUPPORT_PHONE and SUPPORT_ADDRESS');
      expect(res.text).not.to.contain('mailto:');
    });

    it('links to the disconnect and privacy pages', async () => {
      const links = mainLinks((await request(t.app).get(PAGES.contact)).text);
      expect(links).to.include.members([PAGES.disconnect, PAGES.privacy]);
    });
  });
});

describe('GET /help/contact with support details configured', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows the email as a mailto link, the phone as a tel link and the address line by line', async () => {
    t = await startTestApp({
      env: {
        SUPPORT_EMAIL: 'help@heavy-av.example',
        SUPPORT_PHONE: '+1 (555) 010-2030',
        SUPPORT_ADDRESS: 'Heavy AV Ltd\\n12 Dock Road\nPortsmouth',
      },
    });
    const res = await request(t.app).get(PAGES.contact);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('href="mailto:help@heavy-av.example"');
    expect(res.text).to.contain('href="tel:+15550102030"');
    expect(res.text).to.contain('+1 (555) 010-2030');
    expect(res.text).to.contain('Heavy AV Ltd<br>12 Dock Road<br>Portsmouth');
    expect(res.text).not.to.contain('No support contact has been configured');
  });

  it('escapes HTML in the configured details', async () => {
    t = await startTestApp({
      env: { SUPPORT_ADDRESS: '<b>Bold</b> House\n<script>alert(1)</script>' },
    });
    const res = await request(t.app).get(PAGES.contact);
    expect(res.text).to.contain('&lt;b&gt;Bold&lt;/b&gt; House<br>&lt;script&gt;');
    expect(res.text).not.to.contain('<b>Bold</b>');
    expect(res.text).not.to.contain('<script>alert(1)');
  });

  it('shows only the details that are configured', async () => {
    t = await startTestApp({ env: { SUPPORT_PHONE: '020 7946 0000' } });
    const res = await request(t.app).get(PAGES.contact);
    expect(res.text).to.contain('href="tel:02079460000"');
    expect(res.text).not.to.contain('mailto:');
    expect(res.text).not.to.contain('<dt>Address</dt>');
    expect(res.text).not.to.contain('No support contact has been configured');
  });
});
