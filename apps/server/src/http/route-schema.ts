import { ErrorBody } from '@tube/shared';

/** The error replies of a route, for its `schema.response`: every one has the `{ error: { code, message } }` shape. */
export function errorResponses<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: typeof ErrorBody } {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody])) as { [K in S[number]]: typeof ErrorBody };
}
