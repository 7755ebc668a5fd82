// Tests run with the Khronos validation layer on; a validation error fails the test that
// caused it (each test calls ctx.checkValidation()).
process.env.VAAPI_VK_VALIDATION ??= "1";
