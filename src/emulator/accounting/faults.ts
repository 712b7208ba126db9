import { qboTimestamp } from '../clock.js';

/** An Intuit Fault as an exception: thrown by entity logic, turned into a 400 body by the router/batch. */
export class QboFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail: string,
    readonly element = '',
    readonly status = 400,
    readonly type = 'ValidationFault',
  ) {
    super(message);
  }

  /** The `Fault` member as it appears in a response or a BatchItemResponse entry. */
  toFault(): Record<string, unknown> {
    return {
      Error: [{ Message: this.message, Detail: this.detail, code: this.code, element: this.element }],
      type: this.type,
    };
  }

  body(nowMs: number): Record<string, unknown> {
    return { Fault: this.toFault(), time: qboTimestamp(nowMs, true) };
  }
}

// Messages and details copied from the real faults in fixtures/qbo/faults/.
export const faults = {
  requiredParam: (name: string) =>
    new QboFault(
      '2020',
      'Required param missing, need to supply the required value for the API',
      `Required parameter ${name} is missing in the request`,
      name,
    ),
  stringLength: (name: string, max: number, value: string) =>
    new QboFault(
      '2050',
      'String length is either shorter or longer than supported by specification',
      `String length specified does not match the supported length. Min:0 Max:${max} supplied:${value.length}`,
      name,
    ),
  invalidId: (value: string) =>
    new QboFault('2030', 'Invalid ID', `Id should be a valid number. Supplied value:${value}`, 'Id'),
  invalidReference: (what: string, id: string) =>
    new QboFault(
      '2500',
      'Invalid Reference Id',
      `Invalid Reference Id : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ${what} ${id}`,
      `${what}`,
    ),
  /** As recorded in intuit/QuickBooks-V3-PHP-SDK #102: element and Detail name the line's reference. */
  invalidLineReference: (element: string) =>
    new QboFault('2500', 'Invalid Reference Id', `Invalid Reference Id : ${element}`, element),
  /** Intuit's 6000 "Business Validation Error: …" (node-quickbooks #48 shows the Detail form). */
  businessValidation: (detail: string, element = '') =>
    new QboFault(
      '6000',
      'A business validation error has occurred while processing your request',
      `Business Validation Error: ${detail}`,
      element,
    ),
  notFound: () =>
    new QboFault(
      '610',
      'Object Not Found',
      "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
    ),
  stale: () =>
    new QboFault(
      '5010',
      'Stale Object Error',
      'Stale Object Error : You and QuickBooks were working on this at the same time. QuickBooks finished before you did, so your work was not saved.',
    ),
  duplicateName: () =>
    new QboFault(
      '6240',
      'Duplicate Name Exists Error',
      'The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name.',
    ),
  duplicateDocNumber: (docNumber: string, txnType: string, txnId: string) =>
    new QboFault(
      '6140',
      'Duplicate Document Number Error',
      `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=${txnType} with TxnId=${txnId}`,
    ),
  amountMismatch: (amount: number) =>
    new QboFault(
      '6070',
      'Amount is not equal to UnitPrice * Qty',
      `Amount is not equal to UnitPrice * Qty. Supplied value:${amount}`,
    ),
  unsupportedOperation: (detail: string) => new QboFault('500', 'Unsupported Operation', detail),
  invalidProperty: (detail: string) =>
    new QboFault('2010', 'Request has invalid or unsupported property', detail),
  queryParse: (detail: string) => new QboFault('4000', 'Error parsing query', `QueryParserError: ${detail}`),
  queryInvalid: (detail: string) => new QboFault('4001', 'Invalid query', `QueryValidationError: ${detail}`),
};

/**
 * The API gateway's 401, shaped exactly like Intuit's recording (fixtures/qbo/faults/
 * authentication-failed-3200-http401.qbo_api.json): a lowercase `fault.error[]` envelope with a numeric
 * epoch-millisecond `time`, not the data services' `Fault.Error[]`.
 */
export function authenticationFailed(detail: string, nowMs: number): Record<string, unknown> {
  return {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [
        {
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail,
          code: '3200',
          element: null,
        },
      ],
      type: 'AUTHENTICATION',
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: nowMs,
    status: null,
    cdcresponse: [],
  };
}

/**
 * A 429 as Intuit has been recorded answering it: XML even when JSON was asked for
 * (fixtures/qbo/faults/throttle-exceeded-3001-http429.quickbooks-ruby.xml; python-quickbooks #43).
 */
export function throttleExceededXml(nowMs: number): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="${qboTimestamp(nowMs, true)}" xmlns="http://schema.intuit.com/finance/v3">
  <Fault type="SERVICE">
    <Error code="3001">
      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>
      <Detail>The request limit was reached.  Try again later</Detail>
    </Error>
  </Fault>
</IntuitResponse>
`;
}
