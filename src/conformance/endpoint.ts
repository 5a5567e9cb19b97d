// A scenario endpoint 'host:ifname'. The schema checks the form, so a missing ifname here
// is a bug, named rather than passed on as undefined.
export function splitEndpoint(ep: string): [host: string, ifname: string] {
  const [host, ifname] = ep.split(':');
  if (host === undefined || ifname === undefined) throw new Error(`endpoint '${ep}': expected HOST:IFNAME`);
  return [host, ifname];
}
