/**
 * The request handlers estimates and invoices share. Each kind's routes.ts lists its verbs and paths
 * and points them here, so the two stay in step without copying code.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { CustomersService } from '../customers/service.js';
import { type FieldErrors, NotFoundError, ValidationError } from '../http/errors.js';
import { flash } from '../http/flash.js';
import { createFormatters } from '../locale/format.js';
import { numberSymbols, parseMoneyIn, parseQuantityIn } from '../locale/numbers.js';
import { recordId } from '../records/params.js';
import { documentFormValues, MAX_LINES } from './form.js';
import { lineAmountCents } from './money.js';
import type { DocumentsService } from './service.js';
import { listQuery, SORT_KEYS } from './sorting.js';
import { STAGE_LABELS } from './stage.js';
import type { DocumentBase, DocumentFormValues, LineRow } from './types.js';

/** Rows on a new form; an edit form shows the stored lines and one blank row. */
export const NEW_FORM_ROWS = 3;

const BLANK: LineRow = { description: '', quantity: '', unitPrice: '' };

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

/** What the line editor shows for a row: its amount when quantity and price read, else null. */
export interface LineEditorRow extends LineRow {
  amountCents: number | null;
}

/** Amounts and the running total of the rows as typed (shown without JavaScript; saving recomputes). */
export function editorRows(rows: LineRow[], locale: string): { rows: LineEditorRow[]; totalCents: number } {
  let totalCents = 0;
  const out = rows.map((row) => {
    const quantity = parseQuantityIn(row.quantity, locale);
    const price = parseMoneyIn(row.unitPrice, locale);
    const amountCents = quantity.ok && price.ok ? lineAmountCents(quantity.value, price.value) : null;
    if (amountCents !== null) totalCents += amountCents;
    return { ...row, amountCents };
  });
  return { rows: out, totalCents };
}

/** The "Add line" button of the form without JavaScript: re-render with one more row, save nothing. */
function wantsAnotherLine(body: unknown): boolean {
  return !!body && typeof body === 'object' && (body as Record<string, unknown>).action === 'add-line';
}

export function documentPages<T extends DocumentBase>(o: DocumentPagesOptions<T>): DocumentPages {
  const { service, customers, plural, label } = o;
  const base = `/admin/${plural}`;
  const closingField = service.kind.closingField;
  const company = service.company;
  const fmt = createFormatters(company);

  const renderForm = async (
    res: Response,
    status: number,
    doc: T | undefined,
    values: DocumentFormValues,
    errors: FieldErrors,
  ) => {
    const editor = editorRows(values.lines.length ? values.lines : [BLANK], company.locale);
    res.status(status).render(`${plural}/form`, {
      title: doc ? `Edit ${label.toLowerCase()} ${doc.docNumber}` : `New ${label.toLowerCase()}`,
      doc,
      values,
      editor,
      maxLines: MAX_LINES,
      symbols: numberSymbols(company.locale),
      errors,
      // The customer picker: its no-JS search box sends ?customerQuery= (views/partials/customer-picker.ejs).
      customerPicker: await customers.picker({
        selectedId: values.customerId,
        query: res.req.query.customerQuery,
      }),
      action: doc ? `${base}/${doc.id}` : `${base}/new`,
      closingHint: service.closingHint(),
      // The connected company's items and tax codes for each line (none when not connected).
      choices: await service.lineChoices(),
    });
  };

  const valuesOf = async (doc: T): Promise<DocumentFormValues> => ({
    customerId: String(doc.customerId),
    docNumber: doc.docNumber,
    txnDate: doc.txnDate,
    closingDate: ((doc as Record<string, unknown>)[closingField] as string | null) ?? '',
    memo: doc.memo,
    lines: [
      ...(await service.getWithLines(doc.id))!.lines.map((line) => ({
        description: line.description,
        // In the company's locale, so what the form shows is what it reads back.
        quantity: fmt.quantity(line.quantityThousandths),
        unitPrice: fmt.moneyInput(line.unitPriceCents),
        itemId: line.itemId ?? '',
        taxCodeId: line.taxCodeId ?? '',
        taxable: line.taxable ? 'on' : 'off',
      })),
      BLANK,
    ],
  });

  const tryWrite = async (req: Request, res: Response, doc: T | undefined, write: () => Promise<T>) => {
    const values = documentFormValues(req.body, closingField);
    if (wantsAnotherLine(req.body)) {
      if (values.lines.length < MAX_LINES) values.lines.push(BLANK);
      await renderForm(res, 200, doc, values, {});
      return;
    }
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
      const page = await service.list(req.query);
      res.render(`${plural}/index`, {
        title: `${label}s`,
        page,
        sortKeys: SORT_KEYS,
        listQuery,
        stageLabels: STAGE_LABELS,
      });
    },
    newForm: async (req, res) => {
      const values = documentFormValues({}, closingField);
      values.txnDate = service.today();
      values.lines = Array.from({ length: NEW_FORM_ROWS }, () => BLANK);
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
        stageLabels: STAGE_LABELS,
        links: await service.linksFor(doc.id),
        // Names of the items lines chose (a line keeps only the id of an item picked here).
        choices: await service.lineChoices(),
        ...(o.showLocals ? await o.showLocals(doc) : {}),
      });
    },
    editForm: async (req, res) => {
      const doc = await service.get(recordId(req.params.id));
      service.assertEditable(doc);
      await renderForm(res, 200, doc, await valuesOf(doc), {});
    },
    update: async (req, res) => {
      const doc = await service.get(recordId(req.params.id));
      service.assertEditable(doc);
      await tryWrite(req, res, doc, () => service.update(doc.id, documentFormValues(req.body, closingField)));
    },
  };
}
