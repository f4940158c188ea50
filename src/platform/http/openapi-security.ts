/** Names of the OpenAPI security schemes, shared by the document builder and the endpoint decorators. */
export const BEARER_SECURITY = 'bearer';
export const API_KEY_SECURITY = 'api-key';
