/**
 * Token manager → connection service. The token manager is the one that learns Intuit revoked the access
 * (invalid_grant on a refresh), and the connection service the one that must act (clear the credentials,
 * stop the company's work, audit). The service needs the API client, which needs the token manager, so the
 * service cannot exist when the token manager is built: this relay is built first and handed to the
 * token manager, and the composition root subscribes the service once it exists.
 */
import type { QuickBooksRevokedError } from '../intuit/errors.js';

export interface RevocationHandler {
  handleRevoked(realmId: string, error: QuickBooksRevokedError): Promise<void>;
}

export class Revocations {
  private readonly handlers: RevocationHandler[] = [];

  subscribe(handler: RevocationHandler): void {
    this.handlers.push(handler);
  }

  /** Passed to the token manager as onRevoked. */
  readonly report = async (realmId: string, error: QuickBooksRevokedError): Promise<void> => {
    for (const handler of this.handlers) await handler.handleRevoked(realmId, error);
  };
}
