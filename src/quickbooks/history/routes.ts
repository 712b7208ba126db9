/** GET /admin/settings/quickbooks/history (admins only; mounted under /admin/settings). */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { DIRECTIONS, ENTITIES, filterQuery, parseHistoryQuery, RESULTS } from './filter.js';
import type { HistoryService } from './history-service.js';

export function historyRoutes({ service }: { service: HistoryService }): Router {
  const router = Router();

  router.get('/quickbooks/history', async (req, res) => {
    const query = parseHistoryQuery(req.query as Record<string, unknown>);
    const invalid = Object.keys(query.errors).length > 0;
    if (req.query.format === 'csv') {
      if (invalid) return res.status(422).type('text/plain').send(Object.values(query.errors).join('\n'));
      res.set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="quickbooks-history-${new Date().toISOString().slice(0, 10)}.csv"`,
      });
      return sendStream(res, Readable.from(service.csv(query.filter)));
    }
    const page = await service.page(query);
    res.status(invalid ? 422 : 200).render('quickbooks/history', {
      title: 'QuickBooks sync history',
      page,
      values: query.values,
      errors: query.errors,
      options: { directions: DIRECTIONS, entities: entityOptions(query.values.entity), results: RESULTS },
      link: (extra: Record<string, string | number> = {}) => filterQuery(query.values, extra),
    });
  });

  return router;
}

function entityOptions(current: string): readonly string[] {
  return current && !(ENTITIES as readonly string[]).includes(current) ? [...ENTITIES, current] : ENTITIES;
}

/** Pipes with back-pressure; a client that goes away mid-download is not an error worth logging. */
async function sendStream(res: NodeJS.WritableStream, body: Readable): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
}
