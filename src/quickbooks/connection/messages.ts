/**
 * What the admin reads after each step on the QuickBooks card (a flash on the card), and on the Disconnect
 * URL landing page. The routes pick one by outcome; the words live here so the routes stay a table.
 */
import type { FlashMessage } from '../../http/flash.js';
import type { CallbackOutcome } from './connect.js';
import type { Connection } from './connection-types.js';
import type { DisconnectOutcome } from './disconnect.js';
import type { LandingOutcome } from './intuit-disconnect.js';
import type { SwitchOutcome } from './switch.js';

const nameOf = (c: Connection) => c.companyName ?? c.realmId;

export function callbackMessage(outcome: CallbackOutcome): FlashMessage {
  if (outcome.kind === 'failed') return { kind: 'error', text: outcome.message };
  if (outcome.kind === 'needs_switch_confirmation') {
    return {
      kind: 'info',
      text: 'This is a different QuickBooks company from the one Heavy AV was linked to. Please confirm below.',
    };
  }
  const name = nameOf(outcome.connection);
  return {
    kind: 'success',
    text: outcome.reconnect
      ? `Reconnected to ${name}. Changes made meanwhile are being reconciled.`
      : `Connected to ${name}.`,
  };
}

export function switchMessage(confirm: boolean, outcome: SwitchOutcome): FlashMessage {
  const { connection, unrevoked } = outcome;
  const retry =
    ' Intuit could not be reached to revoke Heavy AV’s access to the other company; Heavy AV keeps trying (listed below until Intuit confirms), or disconnect Heavy AV at Intuit’s My Apps page.';
  if (confirm && connection) {
    return {
      kind: unrevoked ? 'error' : 'success',
      text: `Connected to ${nameOf(connection)}. Links to the earlier company are archived.${unrevoked ? retry : ''}`,
    };
  }
  if (unrevoked) return { kind: 'error', text: `Nothing was switched.${retry}` };
  return {
    kind: 'info',
    text: 'Nothing was switched. Heavy AV revoked the access it had just been given to the other company.',
  };
}

export function disconnectMessage(outcome: DisconnectOutcome): FlashMessage {
  if (outcome.revoke === 'unreadable') {
    return {
      kind: 'error',
      text: 'Heavy AV forgot this QuickBooks connection and stopped syncing. Its stored tokens could not be decrypted, so it could not revoke its access at Intuit: to finish, open QuickBooks → Apps → My Apps and disconnect Heavy AV there. Then connect again.',
    };
  }
  if (outcome.revoke === 'unreachable') {
    return {
      kind: 'error',
      text: 'Heavy AV deleted its QuickBooks credentials and stopped syncing, but could not reach Intuit to revoke its access. Heavy AV keeps trying (this page lists it until Intuit confirms). To finish now, open QuickBooks → Apps → My Apps and disconnect Heavy AV there.',
    };
  }
  return {
    kind: 'success',
    text: 'QuickBooks is disconnected. Heavy AV revoked its access at Intuit and deleted its stored credentials.',
  };
}

export const NOT_CONNECTED: FlashMessage = { kind: 'info', text: 'QuickBooks was not connected.' };

export function syncNowMessage(connection: Connection, extra: string | undefined): FlashMessage {
  return {
    kind: 'success',
    text: `QuickBooks answered: connected to ${nameOf(connection)}.${extra ? ` ${extra}` : ''}`,
  };
}

const LANDING_TEXT: Record<LandingOutcome, { title: string; text: string }> = {
  cleared: {
    title: 'QuickBooks is disconnected',
    text: 'Intuit confirmed that Heavy AV no longer has access to your QuickBooks company. Heavy AV deleted its stored credentials and stopped syncing. Your estimates and invoices keep their QuickBooks numbers for reference, and nothing in QuickBooks was deleted.',
  },
  not_connected: {
    title: 'QuickBooks is not connected',
    text: 'Heavy AV has no active connection to this QuickBooks company, so there was nothing to disconnect.',
  },
  still_connected: {
    title: 'QuickBooks is still connected',
    text: 'Heavy AV checked with Intuit, and the connection is still active, so nothing was changed. If you meant to disconnect, use "Disconnect" on Heavy AV’s QuickBooks settings page or disconnect the app in QuickBooks.',
  },
  unverified: {
    title: 'We could not confirm the disconnect yet',
    text: 'Intuit could not be reached to confirm the disconnect, so Heavy AV changed nothing for now. If you disconnected Heavy AV in QuickBooks, Heavy AV will notice at its next sync and stop.',
  },
};

/** What a visitor who is not a signed-in admin reads, whatever the outcome. */
const ANONYMOUS_LANDING = {
  title: 'Disconnecting from QuickBooks',
  text: 'If you disconnected Heavy AV in QuickBooks, Heavy AV checks with Intuit and stops syncing once Intuit confirms it. Nothing in QuickBooks is deleted. Sign in as an admin to see the state of the connection.',
};

export function landingText(outcome: LandingOutcome, admin: boolean): { title: string; text: string } {
  return admin ? LANDING_TEXT[outcome] : ANONYMOUS_LANDING;
}
