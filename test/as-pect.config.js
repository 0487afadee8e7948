// as-pect configuration: firmware unit specs in test/firmware/*.spec.ts.
// The firmware imports module "hal" only; specs get the inert-but-working fakes of test/lib/hal-fake.js.
import { halFake } from "./lib/hal-fake.js";

export default {
  entries: ["test/firmware/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    const imports = createImports({ env: { memory }, hal: halFake(() => instance.exports.memory) });
    instance = instantiate(binary, imports);
    return instance;
  },
  outputBinary: false,
};
