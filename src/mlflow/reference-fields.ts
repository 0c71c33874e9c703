// Reference-shaped request fields (`*_id`, `*_uri`, `source`, `name`…) of the pinned MLflow that
// name NO other resource the gateway must check, each with the reason. Together with the route
// table's requirement ids (primary) and its references column, this classifies every such field
// of every RPC a non-administrator may call; test/mlflow-reference-coverage.test.ts fails when the
// pinned MLflow (scripts/mlflow-reference-fields.py) has one that is in none of the three, so a
// new MLflow version cannot add an unchecked reference silently.

/** Field name (last path segment) → why it is inert wherever it appears. */
export const INERT_EVERYWHERE: Readonly<Record<string, string>> = {};

/** RPC → dotted field path → why it is inert in that request. */
export const INERT_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};
