/**
 * People: invitations, roles, deactivation, one's own password, reset links. Every change is audited.
 * Links are one-time and expiring (auth/one-time-links-repository.ts); an invitation is mailed when SMTP
 * is configured and always shown to the admin who made it, who may pass it on another way.
 */
import type { AuditAction, AuditRepository } from '../audit/audit-repository.js';
import { type AuthService, passwordProblem } from '../auth/auth-service.js';
import type {
  OneTimeLink,
  OneTimeLinkKind,
  OneTimeLinksRepository,
} from '../auth/one-time-links-repository.js';
import { hashPassword } from '../auth/passwords.js';
import {
  LastAdminError,
  normaliseEmail,
  type Role,
  type User,
  type UsersRepository,
} from '../auth/users-repository.js';
import type { Transaction, Transactor } from '../db/transaction.js';
import { AppError, NotFoundError, ValidationError } from '../http/errors.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 24 * 60 * 60 * 1000;

export interface Actor {
  id: number;
  email: string;
}

export interface UsersServiceDeps {
  transaction: Transactor;
  users: UsersRepository;
  links: OneTimeLinksRepository;
  auth: AuthService;
  audit: AuditRepository;
  logger: Logger;
  /** Absent without SMTP_URL: links are shown, not mailed. */
  mailer?: Mailer;
  appBaseUrl: string;
  now?: () => Date;
}

/** A link just issued: the URL is shown once to the admin; `mailed` says whether it was also sent. */
export interface IssuedLink {
  url: string;
  email: string;
  expiresAt: string;
  mailed: boolean;
  /** Why it was not mailed (no SMTP configured, or the server refused): for the admin. */
  mailProblem?: string;
}

export class LinkExpiredError extends AppError {
  constructor() {
    super('This link has expired or was already used. Ask an admin for a new one.', {
      status: 410,
      code: 'link_gone',
    });
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function parseRole(value: string | undefined): Role | undefined {
  return value === 'admin' || value === 'staff' ? value : undefined;
}

export class UsersService {
  private readonly now: () => Date;
  constructor(private readonly deps: UsersServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  list(): Promise<User[]> {
    return this.deps.users.list();
  }

  openInvitations(): Promise<OneTimeLink[]> {
    return this.deps.links.openInvitations(this.now());
  }

  async invite(actor: Actor, input: { email?: string; role?: string }): Promise<IssuedLink> {
    const email = normaliseEmail(input.email ?? '');
    const role = parseRole(input.role);
    const errors: Record<string, string> = {};
    if (!EMAIL.test(email) || email.length > 254) errors.email = 'Enter a valid email address.';
    else if (await this.deps.users.findByEmail(email))
      errors.email = 'A user with this email already exists.';
    if (!role) errors.role = 'Choose admin or staff.';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const { token, link } = await this.deps.links.issue({
      kind: 'invitation',
      email,
      role,
      createdByUserId: actor.id,
      now: this.now(),
      ttlMs: INVITATION_TTL_MS,
    });
    await this.audit(actor, 'user.invited', `Invited ${email} as ${role}`, { email, role });
    const url = `${this.deps.appBaseUrl}/invitations/${token}`;
    const mail = await this.mail({
      to: email,
      subject: 'You are invited to Heavy AV',
      text: [
        `${actor.email} invited you to Heavy AV as ${role === 'admin' ? 'an admin' : 'staff'}.`,
        '',
        'Choose your password here (the link works once, for 7 days):',
        url,
        '',
        'If you did not expect this, ignore this message.',
      ].join('\n'),
    });
    return { url, email, expiresAt: link.expiresAt, ...mail };
  }

  /** The invitation behind a link, or LinkExpiredError. */
  invitation(token: string): Promise<OneTimeLink> {
    return this.openLink('invitation', token);
  }

  /** Creates the invited user with their chosen password; the link is used up. */
  async acceptInvitation(token: string, newPassword: string): Promise<User> {
    const user = await this.withLink('invitation', token, newPassword, async (link, passwordHash, trx) => {
      const { users } = this.deps;
      if (await users.findByEmail(link.email, trx)) throw new LinkExpiredError();
      return users.create({ email: link.email, role: link.role ?? 'staff', passwordHash }, trx);
    });
    await this.audit(user, 'user.invitation_accepted', `${user.email} accepted the invitation`, {
      userId: user.id,
      role: user.role,
    });
    return user;
  }

  /** Role and active flag of another user; the last active admin stays. */
  async updateAccess(actor: Actor, id: number, input: { role?: string; active?: string }): Promise<User> {
    const target = await this.deps.users.findById(id);
    if (!target) throw new NotFoundError('We could not find that user.');
    const role = input.role === undefined || input.role === '' ? undefined : parseRole(input.role);
    if (input.role && !role) throw new ValidationError({ role: 'Choose admin or staff.' });
    const active =
      input.active === undefined || input.active === ''
        ? undefined
        : input.active === 'true' || input.active === 'on' || input.active === '1'
          ? true
          : input.active === 'false' || input.active === 'off' || input.active === '0'
            ? false
            : null;
    if (active === null) throw new ValidationError({ active: 'Active must be true or false.' });
    let updated: User;
    try {
      updated = await this.deps.users.updateAccess(id, { role, active }, this.now());
    } catch (err) {
      if (!(err instanceof LastAdminError)) throw err;
      throw new ValidationError(
        { [role && role !== 'admin' ? 'role' : 'active']: 'Heavy AV needs at least one active admin.' },
        'This is the last active admin: make someone else an admin first.',
      );
    }
    if (updated.role !== target.role) {
      await this.audit(actor, 'user.role_changed', `${target.email}: ${target.role} → ${updated.role}`, {
        userId: id,
        from: target.role,
        to: updated.role,
      });
    }
    if (updated.active !== target.active) {
      await this.audit(
        actor,
        updated.active ? 'user.reactivated' : 'user.deactivated',
        `${updated.active ? 'Reactivated' : 'Deactivated'} ${target.email}`,
        { userId: id },
      );
    }
    return updated;
  }

  /**
   * One's own password: the current one is checked through the sign-in budgets (the same lock-out as
   * the sign-in form, so this form is no side door for guessing). Other sessions of the user end.
   */
  async changeOwnPassword(
    actor: Actor,
    input: { currentPassword: string; newPassword: string },
    clientAddress: string,
  ): Promise<Date> {
    const problem = passwordProblem(input.newPassword);
    if (problem) throw new ValidationError({ newPassword: problem });
    try {
      await this.deps.auth.authenticate(actor.email, input.currentPassword, clientAddress);
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_credentials') {
        throw new ValidationError({ currentPassword: 'That is not your current password.' });
      }
      throw err;
    }
    const now = this.now();
    await this.deps.users.updatePassword(actor.id, await hashPassword(input.newPassword), now);
    await this.audit(actor, 'user.password_changed', `${actor.email} changed their password`, {
      userId: actor.id,
    });
    return now;
  }

  /** A reset link for an active user, issued by an admin (shown to them; mailed when SMTP is set). */
  async issueReset(actor: Actor, id: number): Promise<IssuedLink> {
    const target = await this.deps.users.findById(id);
    if (!target) throw new NotFoundError('We could not find that user.');
    if (!target.active) {
      throw new ValidationError({ user: 'Reactivate this user first.' }, 'This user is deactivated.');
    }
    const { token, link } = await this.deps.links.issue({
      kind: 'password_reset',
      email: target.email,
      userId: target.id,
      createdByUserId: actor.id,
      now: this.now(),
      ttlMs: RESET_TTL_MS,
    });
    await this.audit(actor, 'user.password_reset_issued', `Reset link for ${target.email}`, { userId: id });
    const url = `${this.deps.appBaseUrl}/password-resets/${token}`;
    const mail = await this.mail({
      to: target.email,
      subject: 'Set a new Heavy AV password',
      text: [
        `${actor.email} sent you a link to set a new Heavy AV password.`,
        '',
        'It works once, for 24 hours:',
        url,
        '',
        'If you did not ask for this, tell your admin.',
      ].join('\n'),
    });
    return { url, email: target.email, expiresAt: link.expiresAt, ...mail };
  }

  reset(token: string): Promise<OneTimeLink> {
    return this.openLink('password_reset', token);
  }

  /** Sets the new password; the link is used up and every session of the user ends. */
  async completeReset(token: string, newPassword: string): Promise<User> {
    const user = await this.withLink(
      'password_reset',
      token,
      newPassword,
      async (link, passwordHash, trx) => {
        const { users } = this.deps;
        const target = link.userId ? await users.findById(link.userId, trx) : undefined;
        if (!target?.active) throw new LinkExpiredError();
        await users.updatePassword(target.id, passwordHash, this.now(), trx);
        return target;
      },
    );
    await this.audit(user, 'user.password_reset', `${user.email} set a new password with a reset link`, {
      userId: user.id,
    });
    return user;
  }

  private async openLink(kind: OneTimeLinkKind, token: string): Promise<OneTimeLink> {
    const link = await this.deps.links.findOpen(kind, token, this.now());
    if (!link) throw new LinkExpiredError();
    return link;
  }

  /**
   * A one-time link's work: the new password is checked and hashed first (slow, outside the transaction),
   * then the link is used up and `work` runs in one transaction, so a link serves exactly once.
   */
  private async withLink(
    kind: OneTimeLinkKind,
    token: string,
    newPassword: string,
    work: (link: OneTimeLink, passwordHash: string, trx: Transaction) => Promise<User>,
  ): Promise<User> {
    const problem = passwordProblem(newPassword);
    if (problem) throw new ValidationError({ newPassword: problem });
    const passwordHash = await hashPassword(newPassword);
    const now = this.now();
    return this.deps.transaction(async (trx) => {
      const link = await this.deps.links.findOpen(kind, token, now, trx);
      if (!link || !(await this.deps.links.use(link.id, now, trx))) throw new LinkExpiredError();
      return work(link, passwordHash, trx);
    });
  }

  private async mail(message: { to: string; subject: string; text: string }) {
    if (!this.deps.mailer) return { mailed: false, mailProblem: 'Mail is not set up (SMTP_URL).' };
    try {
      await this.deps.mailer.send(message);
      return { mailed: true };
    } catch (err) {
      // The link still works: the admin passes it on. The error may name the server, never the link.
      this.deps.logger.warn({ err: { message: (err as Error).message } }, 'mail not sent');
      return { mailed: false, mailProblem: 'The mail server refused the message.' };
    }
  }

  private async audit(actor: Actor, action: AuditAction, summary: string, details: Record<string, unknown>) {
    await this.deps.audit.record({ action, summary, actor: { id: actor.id, email: actor.email }, details });
  }
}
