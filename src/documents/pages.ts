/**
 * The request handlers estimates and invoices share. Each kind's routes.ts lists its verbs and paths
 * and points them here, so the two stay in step without copying code.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { CustomersService } from '../customers/service.js';
import { type FieldErrors, NotFoundError, ValidationError } from '../http/errors.js';
import { flash } from '../http/flash.js';
import { recordId } from '../records/params.js';
import { documentFormValues } from './form.js';
import { centsToDecimal, formatMoney, quantityToDecimal } from './money.js';
import type { DocumentsService } from './service.js';
import type { DocumentBase, DocumentFormValues, LineRow } from './types.js';

/** Empty rows on a form, so more lines can be added without JavaScript. */
export const BLANK_ROWS = 3;
export const MIN_ROWS = 5;

export interface DocumentPagesOptions<T extends DocumentBase> {
  service: DocumentsService<T>;
  customers: CustomersService;
  /** 'estimates' or 'invoices': the URL segment and the views folder. */
  plural: string;
  /** 'Estimate' or 'Invoice' */
  label: string;
  /** Extra locals for the show page (e.g. the invoice made from an estimate). */
  showLocals?: (doc: T) => Promise<Record<string, unknown>>;
}

export interface DocumentPages {
  list: RequestHandler;
  newForm: RequestHandler;
  create: RequestHandler;
  show: RequestHandler;
  editForm: RequestHandler;
  update: RequestHandler;
}

/** Rows for the form: what was entered (or stored), padded with blank rows. */
export function formRows(lines: LineRow[]): LineRow[] {
  const rows = [...lines];
  const target = Math.max(
    MIN_ROWS,
    lines.filter((l) => l.description || l.quantity || l.unitPrice).length + BLANK_ROWS,
  );
  while (rows.length < target) rows.push({ description: '', quantity: '', unitPrice: '' });
  return rows;
}

export const money = { formatMoney, centsToDecimal, quantityToDecimal };

export function documentPages<T extends DocumentBase>(o: DocumentPagesOptions<T>): DocumentPages {
  const { service, customers, plural, label } = o;
  const base = `/admin/${plural}`;
  const closingField = service.kind.closingField;

  const renderForm = async (
    res: Response,
    status: number,
    doc: T | undefined,
    values: DocumentFormValues,
    errors: FieldErrors,
  ) => {
    res.status(status).render(`${plural}/form`, {
      title: doc ? `Edit ${label.toLowerCase()} ${doc.docNumber}` : `New ${label.toLowerCase()}`,
      doc,
      values: { ...values, lines: formRows(values.lines) },
      errors,
      // The customer picker: its no-JS search box sends ?customerQuery= (views/partials/customer-picker.ejs).
      customerPicker: await customers.picker({
        selectedId: values.customerId,
        query: res.req.query.customerQuery,
      }),
      action: doc ? `${base}/${doc.id}` : `${base}/new`,
      ...money,
    });
  };

  const valuesOf = async (doc: T): Promise<DocumentFormValues> => ({
    customerId: String(doc.customerId),
    docNumber: doc.docNumber,
    txnDate: doc.txnDate,
    closingDate: ((doc as Record<string, unknown>)[closingField] as string | null) ?? '',
    memo: doc.memo,
    lines: (await service.getWithLines(doc.id))!.lines.map((line) => ({
      description: line.description,
      quantity: quantityToDecimal(line.quantityThousandths),
      unitPrice: centsToDecimal(line.unitPriceCents),
    })),
  });

  const tryWrite = async (req: Request, res: Response, doc: T | undefined, write: () => Promise<T>) => {
    const values = documentFormValues(req.body, closingField);
    try {
      const saved = await write();
      flash(req, 'success', `${label} ${saved.docNumber} ${doc ? 'saved' : 'created'}.`);
      res.redirect(303, `${base}/${saved.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderForm(res, 422, doc, values, err.fields);
    }
  };

  return {
    list: async (req, res) => {
      res.render(`${plural}/index`, { title: `${label}s`, page: await service.list(req.query), ...money });
    },
    newForm: async (req, res) => {
      const values = documentFormValues({}, closingField);
      values.txnDate = new Date().toISOString().slice(0, 10);
      if (typeof req.query.customerId === 'string') values.customerId = req.query.customerId;
      await renderForm(res, 200, undefined, values, {});
    },
    create: async (req, res) => {
      await tryWrite(req, res, undefined, () => service.create(documentFormValues(req.body, closingField)));
    },
    show: async (req, res) => {
      const doc = await service.getWithLines(recordId(req.params.id));
      if (!doc) throw new NotFoundError(`We could not find that ${service.kind.noun}.`);
      res.render(`${plural}/show`, {
        title: `${label} ${doc.docNumber}`,
        doc,
        links: await service.linksFor(doc.id),
        ...(o.showLocals ? await o.showLocals(doc) : {}),
        ...money,
      });
    },
    editForm: async (req, res) => {
      const doc = await service.get(recordId(req.params.id));
      service.assertEditable(doc);
      await renderForm(res, 200, doc, await valuesOf(doc), {});
    },
    update: async (req, res) => {
      const doc = await service.get(recordId(req.params.id));
      await tryWrite(req, res, doc, () => service.update(doc.id, documentFormValues(req.body, closingField)));
    },
  };
}
