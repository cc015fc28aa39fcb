// Imports every custom kernel and gradient so they register with tfjs. Kernel modules append themselves here.
export {};
