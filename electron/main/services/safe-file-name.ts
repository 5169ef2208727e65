export { safeFileName } from '../../../contracts/file-name';
