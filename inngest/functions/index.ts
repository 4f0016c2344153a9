import { rotateCredentials } from './rotate-credentials';

export const functions = [rotateCredentials];
