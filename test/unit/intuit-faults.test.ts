/**
 * Intuit's Fault bodies, read from real answers (test/fixtures/qbo: copies of ../shared/fixtures/qbo).
 * Data services write `Fault.Error[]` with `Message`/`Detail`; the gateway (401) writes `fault.error[]`
 * in lower case; batch and attachable answers carry a Fault per item.
 */
import { expect } from 'chai';
import { faultsOf } from '../../src/quickbooks/intuit/faults.js';
import { qboFixture } from './fixtures.js';

interface Expected {
  code: string;
  message: string;
  /** Exact, or a pattern for the long ones. */
  detail?: string | RegExp;
  element?: string;
}

/** Compares faults as data: an absent, null or empty element or detail all mean "none". */
function check(actual: ReturnType<typeof faultsOf>, expected: Expected[]) {
  expect(actual.map((f) => [f.code, f.message])).to.deep.equal(expected.map((f) => [f.code, f.message]));
  actual.forEach((f, i) => {
    const want = expected[i];
    if (want.detail instanceof RegExp) expect(f.detail).to.match(want.detail);
    else expect(f.detail || undefined).to.equal(want.detail);
    expect(f.element || undefined).to.equal(want.element);
  });
}

describe('faultsOf (Intuit Fault bodies → faults)', () => {
  const answers: [string, Expected[]][] = [
    [
      'faults/stale-object-5010.exquickbooks.json',
      [
        {
          code: '5010',
          message: 'Stale Object Error',
          detail:
            'Stale Object Error : You and Leo Nikkilä were working on this at the same time. Leo Nikkilä finished before you did, so your work was not saved.',
        },
      ],
    ],
    [
      'faults/duplicate-name-6240-http400.qbo_api.json',
      [
        {
          code: '6240',
          message: 'Duplicate Name Exists Error',
          detail: 'The name supplied already exists. : null',
        },
      ],
    ],
    [
      'faults/duplicate-name-6240.taxservice.quickbooks-ruby.json',
      [
        {
          code: '6240',
          message: 'Duplicate Name Exists Error',
          detail:
            'The name supplied already exists. : Another tax rate is already using this \nname. Please use a different name.',
        },
      ],
    ],
    [
      'faults/invalid-id-2030-http400.qbo_api.json',
      [
        {
          code: '2030',
          message: 'Invalid ID',
          detail: 'Id should be a valid number. Supplied value:1.5',
          element: 'Id',
        },
      ],
    ],
    [
      'faults/invalid-query-4001-http400.qbo_api.json',
      [
        {
          code: '4001',
          message: 'Invalid query',
          detail: 'QueryValidationError: invalid context declaration: Custmoer',
        },
      ],
    ],
    [
      'faults/query-parser-error-4000.exquickbooks.json',
      [
        {
          code: '4000',
          message: 'Error parsing query',
          detail:
            'QueryParserError: Encountered " "null" "NULL "" at line 1, column 15.\nWas expecting:\n    <IDENTIFIER> ...\n    ',
        },
      ],
    ],
    [
      'faults/object-not-found-610.exquickbooks.json',
      [{ code: '610', message: 'Object Not Found', detail: /^Object Not Found : Something you're trying/ }],
    ],
    [
      // Members in another order: element and code before Message.
      'faults/required-param-missing-2020-line-detailtype.exquickbooks.json',
      [
        {
          code: '2020',
          message: 'Required param missing, need to supply the required value for the API',
          detail: 'Required parameter Line.DetailType is missing in the request',
          element: 'Line.DetailType',
        },
      ],
    ],
    [
      'faults/required-param-missing-2020.exquickbooks.json',
      [
        {
          code: '2020',
          message: 'Required param missing, need to supply the required value for the API',
          detail: 'Required parameter Name is missing in the request',
          element: 'Name',
        },
      ],
    ],
    [
      'faults/unsupported-operation-code500-http400.qbo_api.json',
      [{ code: '500', message: 'Unsupported Operation', detail: /^Operation Could not find resource/ }],
    ],
    [
      'faults/unsupported-property-2010-http400.qbo_api.json',
      [
        {
          code: '2010',
          message: 'Request has invalid or unsupported property',
          detail: /^Property Name:Unrecognized field "BadJson"/,
        },
      ],
    ],
    [
      // The gateway's envelope: lower-case fault.error[], element null.
      'faults/authentication-failed-3200-http401.qbo_api.json',
      [
        {
          code: '3200',
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail: 'Token expired: AB01601390262kxzxOlnHYdhtEVRXISU7piPqQrCmmbDN35Yjd',
        },
      ],
    ],
  ];
  for (const [file, expected] of answers) {
    it(`${file} → ${expected.map((f) => f.code).join(', ')}`, () => {
      check(faultsOf(qboFixture(file)), expected);
    });
  }

  it('reads the Fault of each batch item, and nothing from the items that succeeded', () => {
    const items = qboFixture('batch/response.qbo_api.json').BatchItemResponse;
    expect(faultsOf(qboFixture('batch/response.qbo_api.json'))).to.deep.equal([]);
    expect(items.map((item: unknown) => faultsOf(item).map((f) => f.code))).to.deep.equal([
      [],
      ['610'],
      ['5010'],
      [],
    ]);
    const java = qboFixture('batch/response-customer-query-fault.java-sdk.json').BatchItemResponse;
    check(faultsOf(java[2]), [{ code: '500', message: 'Unsupported operation requested' }]);
    expect(faultsOf(java[0])).to.deep.equal([]);
  });

  it('reads a business Fault inside an item of a 200 answer (AttachableResponse)', () => {
    const body = qboFixture('faults/business-validation-6000-in-attachableresponse-http200.qbo_api.json');
    check(faultsOf(body.AttachableResponse[0]), [
      {
        code: '6000',
        message: 'A business validation error has occurred while processing your request',
        detail:
          'Business Validation Error: The entity Estimate 75 that you are trying to link does not exist. Estimate 75',
      },
    ]);
  });

  it('keeps several errors in order, and reads numeric or capitalised codes as strings', () => {
    const body = {
      Fault: {
        Error: [
          { Message: 'first', code: 6000 },
          { message: 'second', Code: '2050', Detail: 'd' },
        ],
        type: 'ValidationFault',
      },
    };
    check(faultsOf(body), [
      { code: '6000', message: 'first' },
      { code: '2050', message: 'second', detail: 'd' },
    ]);
  });

  const noFault: [string, unknown][] = [
    ['null (an answer that was not JSON)', null],
    ['undefined', undefined],
    ['text', 'Bad Request'],
    ['an entity', qboFixture('entities/customer-read.qbo_api.json')],
    ['an empty object', {}],
    ['a Fault without errors', { Fault: { type: 'SystemFault' } }],
    ['errors that are not a list', { Fault: { Error: { code: '500' } } }],
  ];
  for (const [name, body] of noFault) {
    it(`${name} → no faults`, () => expect(faultsOf(body)).to.deep.equal([]));
  }
});
