/** The sidebar's texts about the services. */
import assert from "node:assert/strict";
import { kafkaNodesText, workersText } from "./sidebar.tsx";

const node = (id: number, healthy: boolean) => ({
  id,
  pid: healthy ? 100 + id : null,
  port: 9090 + 2 * id,
  healthy,
});

Deno.test("the sidebar counts the Kafka nodes that are up only for a cluster of several", () => {
  assert.equal(kafkaNodesText(undefined), null);
  assert.equal(kafkaNodesText([]), null);
  assert.equal(kafkaNodesText([node(1, true)]), null);
  assert.equal(kafkaNodesText([node(1, true), node(2, false), node(3, true)]), "2/3 nodes up");
});

Deno.test("the sidebar says where the workers run and that none does", () => {
  assert.equal(workersText([]), "no worker running");
  const worker = (id: string, local: boolean) => ({
    id,
    host: null,
    local,
    healthy: true,
    in_flight: local ? 2 : null,
  });
  assert.equal(
    workersText([worker("a", true), worker("b", false)] as Parameters<typeof workersText>[0]),
    "2/2 healthy (1 here, 1 elsewhere) · 2 in flight",
  );
});
