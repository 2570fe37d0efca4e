/**
 * A service's route under its base URL, keeping the base's path: `http://h/svc/bureau` + `/v1/credit-files` is
 * `http://h/svc/bureau/v1/credit-files` (`new URL("/v1/…", base)` would drop `/svc/bureau`). A dApp behind a
 * reverse proxy reaches the bureau and the nodes at such paths.
 */
export function serviceUrl(base: string, path: string): URL {
  const root = new URL(base);
  root.pathname = `${root.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return root;
}
