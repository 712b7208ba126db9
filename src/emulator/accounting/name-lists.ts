/**
 * How QuickBooks fills in and checks name-list entities: customers, vendors and employees (one DisplayName
 * namespace, inactive ones included), items, tax codes and rates.
 */
import type { Company, Entity, EntityName } from '../model.js';
import { faults } from './faults.js';

const DISPLAY_NAME_MAX = 500;
const ITEM_NAME_MAX = 100;
/** QuickBooks uses `:` to join parent and child names; tabs and newlines are refused as well. */
const FORBIDDEN = /[:\t\n\r]/;

function forbiddenCharacters(field: string, value: string): void {
  if (FORBIDDEN.test(value)) {
    throw faults.businessValidation(
      `The ${field} can't contain a colon (:), a tab or a line break. Please use a different name.`,
      field,
    );
  }
}

/** The DisplayName a Customer, Vendor or Employee gets: sent, or derived from its person name parts. */
function displayNameOf(input: Entity): string {
  const derived = [input.Title, input.GivenName, input.MiddleName, input.FamilyName, input.Suffix]
    .filter((p) => typeof p === 'string' && p.trim() !== '')
    .join(' ');
  return String(input.DisplayName ?? (derived || input.CompanyName || '')).trim();
}

/** Throws 6240 when another customer, vendor or employee (active or not) holds the name. */
export function checkNameFree(company: Company, name: EntityName, id: string, displayName: string): void {
  const holder = company.names.get(displayName.toLowerCase());
  if (holder && !(holder.entity === name && holder.id === id)) throw faults.duplicateName();
}

export function indexName(company: Company, name: EntityName, before?: Entity, after?: Entity): void {
  if (before) company.names.delete(String(before.DisplayName).toLowerCase());
  if (after) company.names.set(String(after.DisplayName).toLowerCase(), { entity: name, id: after.Id });
}

export function buildPerson(company: Company, name: EntityName, input: Entity, id: string): Entity {
  const displayName = displayNameOf(input);
  if (!displayName) throw faults.requiredParam('DisplayName');
  if (displayName.length > DISPLAY_NAME_MAX)
    throw faults.stringLength('DisplayName', DISPLAY_NAME_MAX, displayName);
  forbiddenCharacters('DisplayName', displayName);
  checkNameFree(company, name, id, displayName);
  const common = {
    Active: true,
    ...input,
    DisplayName: displayName,
    PrintOnCheckName: input.PrintOnCheckName ?? displayName,
  };
  if (name === 'Employee') return { BillableTime: false, ...common };
  const balance = Number(company.entities[name].get(id)?.Balance ?? 0);
  if (name === 'Vendor') {
    return { Vendor1099: false, CurrencyRef: company.currency, ...common, Balance: balance };
  }
  // Defaults exactly as fixtures/qbo/entities/customer-create.qbo_api.json shows them (US); Canadian
  // customers carry no Taxable/DefaultTaxCodeRef until someone sets them.
  const taxDefaults = company.country === 'US' ? { Taxable: true, DefaultTaxCodeRef: { value: '2' } } : {};
  return {
    ...taxDefaults,
    Job: false,
    BillWithParent: false,
    CurrencyRef: company.currency,
    PreferredDeliveryMethod: 'Print',
    ...common,
    Balance: balance,
    BalanceWithJobs: balance,
    FullyQualifiedName: displayName,
  };
}

export function buildItem(company: Company, input: Entity, id: string): Entity {
  const itemName = String(input.Name ?? '').trim();
  if (!itemName) throw faults.requiredParam('Name');
  if (itemName.length > ITEM_NAME_MAX) throw faults.stringLength('Name', ITEM_NAME_MAX, itemName);
  forbiddenCharacters('Name', itemName);
  const lower = itemName.toLowerCase();
  for (const other of company.entities.Item.values()) {
    if (other.Id !== id && String(other.Name).toLowerCase() === lower) throw faults.duplicateName();
  }
  const type = String(input.Type ?? 'Service');
  if (!['Service', 'NonInventory', 'Inventory', 'Category', 'Group'].includes(type)) {
    throw faults.invalidProperty(
      `Item.Type is not one of Service, NonInventory, Inventory, Category, Group: ${type}`,
    );
  }
  const base = { Name: itemName, Active: true, FullyQualifiedName: itemName, Type: type };
  if (type === 'Category')
    return { ...base, ...input, Name: itemName, FullyQualifiedName: itemName, Type: type };
  return {
    ...base,
    Taxable: false,
    UnitPrice: 0,
    IncomeAccountRef: { value: '1', name: 'Services' },
    ...input,
    Name: itemName,
    FullyQualifiedName: itemName,
    Type: type,
  };
}

/** Tax codes and rates are set up in QuickBooks itself (the API's TaxService); only the control API writes. */
export function buildTaxEntity(name: 'TaxCode' | 'TaxRate', input: Entity): Entity {
  const entityName = String(input.Name ?? '').trim();
  if (!entityName) throw faults.requiredParam('Name');
  if (name === 'TaxRate') {
    return {
      Description: entityName,
      Active: true,
      RateValue: 0,
      SpecialTaxType: 'NONE',
      DisplayType: 'ReadOnly',
      ...input,
      Name: entityName,
    };
  }
  return {
    Description: entityName,
    Active: true,
    Hidden: false,
    Taxable: true,
    TaxGroup: true,
    SalesTaxRateList: { TaxRateDetail: [] },
    PurchaseTaxRateList: { TaxRateDetail: [] },
    ...input,
    Name: entityName,
  };
}
