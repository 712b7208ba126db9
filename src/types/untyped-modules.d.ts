// Packages that ship no type declarations. Each is used behind one wrapper that types what it uses.
declare module 'intuit-oauth';
declare module 'node-quickbooks';
