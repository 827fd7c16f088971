// Microsoft names tenants, apps and objects by GUID; runs in the browser too (wizard hints).
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
