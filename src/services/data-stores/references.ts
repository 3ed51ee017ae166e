import type { ServiceContext } from "../context.ts";
import { validatorsUsing } from "../credential-validators/validators.ts";

/**
 * Who uses a data store: a provisioning channel reading it (`channelSource.dataSource`), or an
 * attribute source or any other part of a connection that points at it with `dataStoreRef`, or
 * a password credential validator that searches it.
 */
export type DataStoreReference = { readonly field: string; readonly label: string };

const refsIn = (value: unknown, path: string, id: string, out: string[]): void => {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) refsIn(v, `${path}[${i}]`, id, out);
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const ref = child as { id?: unknown } | null;
    if (
      (key === "dataStoreRef" || key === "dataSource") &&
      ref !== null &&
      typeof ref === "object" &&
      ref.id === id
    )
      out.push(at);
    else refsIn(child, at, id, out);
  }
};

export const dataStoreReferences = async (
  context: ServiceContext,
  id: string,
): Promise<DataStoreReference[]> => {
  const found: DataStoreReference[] = [];
  for (const connection of await context.store.connections.list()) {
    const paths: string[] = [];
    refsIn(connection.document, "", id, paths);
    for (const path of paths) {
      const channel = /^outboundProvision\.channels\[(\d+)\]/.exec(path);
      const name = channel
        ? connection.document.outboundProvision?.channels[Number(channel[1])]?.name
        : undefined;
      found.push({
        field: `spConnections[${connection.id}].${path}`,
        label: name
          ? `channel "${name}" of connection "${connection.name}"`
          : `connection "${connection.name}" (${path})`,
      });
    }
  }
  found.push(...(await validatorsUsing(context, id)));
  return found;
};
