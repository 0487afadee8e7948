// as-pect configuration: firmware unit specs in test/firmware/*.spec.ts.
// The firmware imports module "hal" only; specs get the inert-but-working fakes of test/lib/hal-fake.js,
// and module "fixture" (test/firmware/fixture.ts) to read test data files into their memory.
import { halFake, fixtureImports } from "./lib/hal-fake.js";

export default {
  entries: ["test/firmware/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let loaded; // @assemblyscript/loader result: { module, instance, exports }
    const mem = () => loaded.exports.memory;
    const imports = createImports({ env: { memory }, hal: halFake(mem), fixture: fixtureImports(mem) });
    loaded = await instantiate(binary, imports);
    return loaded;
  },
  outputBinary: false,
};
