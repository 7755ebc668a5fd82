import { afterEach } from "bun:test";
import { shim } from "../../lib/sources/libav";
import { VulkanContext } from "../../lib/vulkan/context";

// Tests run with the Khronos validation layer on; a validation error fails the test that caused
// it: the tests call ctx.checkValidation() where they look at one device, and after every test
// whatever any context (disposed ones too) reported and nobody checked fails it here.
process.env["VAAPI_VK_VALIDATION"] ??= "1";
afterEach(() => VulkanContext.checkAllValidation());

// What is made once and kept for the process's life is made before any test counts its fds,
// whatever order the files run in: the Vulkan instances, with and without validation
// (lib/vulkan/instance.ts), and the code Bun compiles at run time (the C shim, and the trampolines
// of the first device's functions), which TinyCC keeps in a memfd. Where there is no Vulkan or no
// libav, the tests that need them skip.
const makeContext = (validation: boolean) => () => VulkanContext.create({ validation })[Symbol.dispose]();
for (const make of [makeContext(true), makeContext(false), () => shim()]) {
  try {
    make();
  } catch {
    // not on this machine: nothing to make
  }
}
